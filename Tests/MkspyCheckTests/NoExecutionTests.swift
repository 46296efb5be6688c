import Foundation
import Glibc
import MkspyCheck
import Testing

/// Checking is pure: a program whose import would write a file, start a process and open
/// a connection is checked, and none of that happens.
@Suite(.serialized) struct NoExecutionTests {
    /// The children of this process, as Linux lists them.
    static func children() -> Set<String> {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        var result = Set<String>()
        for task in tasks {
            let text = (try? String(contentsOfFile: "/proc/self/task/\(task)/children", encoding: .utf8)) ?? ""
            for pid in text.split(separator: " ") { result.insert(String(pid)) }
        }
        return result
    }

    /// A listening TCP socket on 127.0.0.1 and its port.
    static func listener() throws -> (Int32, UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(fd >= 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        try #require(bound == 0)
        try #require(listen(fd, 8) == 0)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return (fd, UInt16(bigEndian: address.sin_port))
    }

    @Test func checkingRunsNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mkspy-check-pure-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let marker = dir.appendingPathComponent("imported").path
        let spawned = dir.appendingPathComponent("spawned").path
        let (server, port) = try Self.listener()
        defer { close(server) }

        let program = """
            import os
            import socket
            import subprocess

            import dspy

            open("\(marker)", "w").write("the module was imported")
            subprocess.Popen(["touch", "\(spawned)"])
            os.system("touch \(spawned)")
            socket.create_connection(("127.0.0.1", \(port))).sendall(b"hello")


            class Program(dspy.Module):
                def __init__(self):
                    super().__init__()
                    self.answer = dspy.Predict("question -> answer")

                def forward(self, question):
                    return self.answer(question=question)


            Program()(question="run?")
            """
        let before = Self.children()
        let found = checkProgram(Array(program.utf8), mode: .file(strict: false))
        // The checker saw what the program would do ...
        #expect(found.contains { $0.rule == "SEC004" })
        #expect(found.filter { $0.rule == "SEC003" }.count == 2)
        #expect(found.contains { $0.rule == "SEC010" })
        // ... and none of it happened.
        #expect(!FileManager.default.fileExists(atPath: marker))
        #expect(!FileManager.default.fileExists(atPath: spawned))
        // Other suites run beside this one and start processes of their own: a child that ran
        // this program would name its directory (its source, or the files it writes).
        let appeared = Self.children().subtracting(before).filter { pid in
            let command = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
            return String(decoding: command, as: UTF8.self).contains(dir.path)
        }
        #expect(appeared.isEmpty, "a child process appeared: \(appeared)")
        let accepted = accept(server, nil, nil)
        #expect(accepted < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), "a connection reached the listener")
        if accepted >= 0 { close(accepted) }
        // The same file through the tool leaves nothing behind either.
        if tool("mkspy-check") != nil {
            let file = dir.appendingPathComponent("program.py").path
            _ = FileManager.default.createFile(atPath: file, contents: Data(program.utf8))
            let run = try shell("mkspy-check -q '\(file)'")
            #expect(run.status == 0)
            #expect(!FileManager.default.fileExists(atPath: marker))
            #expect(!FileManager.default.fileExists(atPath: spawned))
            let again = accept(server, nil, nil)
            #expect(again < 0, "a connection reached the listener")
        }
    }
}
