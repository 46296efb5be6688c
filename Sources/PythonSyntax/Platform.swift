// All of PythonSyntax's libc use lives here: a fast byte search, and the thread with a
// known, large stack that every parse runs on (recursion depth must not depend on the
// caller's stack).
#if canImport(Glibc)
@preconcurrency import Glibc
#elseif canImport(Darwin)
@preconcurrency import Darwin
#endif

/// Whether `b` holds the byte `c` (memchr: vectorized).
func contains(_ b: [UInt8], _ c: UInt8) -> Bool {
    b.withUnsafeBytes { raw in raw.baseAddress.map { memchr($0, Int32(c), raw.count) != nil } ?? false }
}

/// Runs `body` on a fresh thread with a 32 MiB stack, small enough for glibc to reuse (16 MiB
/// suffice for the deepest input the depth limits allow, even in debug builds).
func onBigStack<T>(_ body: @escaping () -> T) -> T {
    let slot = Slot<T>()
    runOnBigStack(Job { slot.value = body() })
    return slot.value!
}

private final class Slot<T>: @unchecked Sendable {
    var value: T?
}

private final class Job: @unchecked Sendable {
    let work: () -> Void
    init(_ work: @escaping () -> Void) { self.work = work }
}

/// Runs the job on its own thread and waits for it; on this thread when none can be made.
private func runOnBigStack(_ job: Job) {
    var attr = pthread_attr_t()
    pthread_attr_init(&attr)
    pthread_attr_setstacksize(&attr, 32 << 20)
    #if canImport(Glibc)
    var tid = pthread_t()
    #else
    var tid: pthread_t?
    #endif
    let ctx = Unmanaged.passRetained(job).toOpaque()
    let rc = pthread_create(&tid, &attr, { raw in
        Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue().work()
        return nil
    }, ctx)
    pthread_attr_destroy(&attr)
    if rc != 0 {
        Unmanaged<Job>.fromOpaque(ctx).release()
        job.work()
        return
    }
    #if canImport(Glibc)
    pthread_join(tid, nil)
    #else
    pthread_join(tid!, nil)
    #endif
}
