import Foundation
import MkspyRuntime
import Testing

/// The shared DSPy runtime: found, built on first use, and pinned to DSPy 3.4.1.
@Suite struct RuntimeTests {
    @Test func shareDirectoryIsFoundAboveTheExecutable() {
        let share = PythonEnvironment.shareDirectory
        #expect(FileManager.default.fileExists(atPath: share + "/runtime/requirements.txt"), "\(share)")
    }

    @Test func runtimeHasPinnedDSPy() throws {
        let python = try Support.python()
        let output = try Support.run([python, "-c", "import dspy, sys; print(dspy.__version__, sys.version_info >= (3, 10))"])
        #expect(output.status == 0, "\(output.stderr)")
        let expected = ProcessInfo.processInfo.environment["MKSPY_PYTHON"] == nil ? "3.4.1 True\n" : nil
        if let expected { #expect(String(decoding: output.stdout, as: UTF8.self) == expected) }
    }
}
