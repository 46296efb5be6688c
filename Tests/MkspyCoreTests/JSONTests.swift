import Testing
@testable import MkspyCore

@Suite("JSON values, parser and encoder")
struct JSONTests {
    @Test func roundTripWithSortedKeys() throws {
        let text = #"{"zeta": [1, -2.5e+3, true, false, null], "alpha": {"y": "x/y", "b": {}}, "Mid": []}"#
        let value = try JSON.parse(text)
        #expect(value.text == #"{"Mid":[],"alpha":{"b":{},"y":"x/y"},"zeta":[1,-2.5e+3,true,false,null]}"#)
        #expect(try JSON.parse(value.text) == value)
        #expect(try JSON.parse(value.encoded) == value)
    }

    @Test func keysSortByUnicodeScalarsAtEveryDepth() throws {
        let value = try JSON.parse(#"{"é":1,"a":{"c":1,"B":2,"b":3},"B":2,"_":0}"#)
        #expect(value.text == #"{"B":2,"_":0,"a":{"B":2,"b":3,"c":1},"é":1}"#)
    }

    @Test func objectsRememberSourceKeyOrder() throws {
        let value = try JSON.parse(#"{"z":1,"a":2,"m":3}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m"])
    }

    @Test func slashesAreNotEscaped() throws {
        let value = try JSON.parse(#"{"url":"https:\/\/example.com/a/b"}"#)
        #expect(value["url"] == "https://example.com/a/b")
        #expect(value.text == #"{"url":"https://example.com/a/b"}"#)
        #expect(!value.text.contains("\\/"))
    }

    @Test func integersStayExact() throws {
        let value = try JSON.parse(#"{"big":9007199254740993,"neg":-9223372036854775807,"huge":123456789012345678901234567890}"#)
        #expect(value["big"] == .number("9007199254740993"))
        #expect(value["big"]?.intValue == 9_007_199_254_740_993)
        #expect(value["neg"]?.intValue == -9_223_372_036_854_775_807)
        #expect(value.text == #"{"big":9007199254740993,"huge":123456789012345678901234567890,"neg":-9223372036854775807}"#)
        #expect(JSON.int(9_007_199_254_740_993).text == "9007199254740993")
    }

    @Test func doublesAndNonFiniteNumbers() throws {
        #expect(JSON.double(2.0).text == "2")
        #expect(JSON.double(0.25).text == "0.25")
        #expect(JSON.double(.nan) == .null)
        #expect(JSON.double(.infinity) == .null)
        #expect(JSON.number("1e2").intValue == 100)
        #expect(JSON.number("1.5").intValue == nil)
        #expect(JSON.number("1.5").doubleValue == 1.5)
    }

    @Test func stringEscapesDecode() throws {
        let value = try JSON.parse(#""q\"b\\s\/n\nt\tr\rb\bf\fu\u00e9""#)
        #expect(value == .string("q\"b\\s/n\nt\tr\rb\u{8}f\u{C}ué"))
    }

    @Test func surrogatePairsDecodeToOneScalar() throws {
        #expect(try JSON.parse(#""\ud83d\ude00""#) == .string("😀"))
        #expect(try JSON.parse(#""\uD83D\uDE00!""#) == .string("😀!"))
        // A lone surrogate cannot live in a Swift String: it becomes U+FFFD, not a crash.
        #expect(try JSON.parse(#""\ud83d""#) == .string("\u{FFFD}"))
        #expect(try JSON.parse(#""\ude00x""#) == .string("\u{FFFD}x"))
        #expect(try JSON.parse(#""\ud83d\u0041""#) == .string("\u{FFFD}A"))
    }

    @Test func encoderEscapesControlCharactersAndKeepsUnicode() throws {
        let value = JSON.string("a\"b\\c\n\r\t\u{1}\u{7F}é😀/")
        #expect(value.text == #""a\"b\\c\n\r\t\u0001\u007fé😀/""#)
        #expect(try JSON.parse(value.text) == value)
    }

    @Test func truncatedTextIsMarkedTruncated() throws {
        for text in [#"{"a":1"#, #"{"a":"#, #"{"a""#, #"["#, #"[1,2"#, #""abc"#, "tru", "-", "1.", "1e", #""\u12"#, ""] {
            #expect(throws: JSONError.self, "\(text)") { try JSON.parse(text) }
            do { _ = try JSON.parse(text) } catch { #expect(error.truncated, "\(text): \(error.message)") }
        }
    }

    @Test func malformedTextIsNotTruncated() throws {
        let cases: [(String, String)] = [
            ("trux", "unexpected 'trux'"), ("nul!", "unexpected 'nul!'"), ("fals", ""),
            (#"{"a" 1}"#, "expected ':'"), (#"{"a":1 "b":2}"#, "expected ','"), ("[1 2]", "expected ','"),
            ("{a:1}", "expected a string key"), ("01", "leading zero"), ("1.x", "no digits after '.'"),
            ("1ex", "no digits in the exponent"), (#""\q""#, "invalid escape"), ("\"a\u{1}b\"", "control character"),
            (#""\uZZZZ""#, "invalid \\u escape"), ("@", "where a value should start"),
        ]
        for (text, fragment) in cases {
            do {
                _ = try JSON.parse(text)
                Issue.record("\(text) parsed")
            } catch {
                if text == "fals" { #expect(error.truncated); continue }
                #expect(!error.truncated, "\(text)")
                #expect(error.message.contains(fragment), "\(text): \(error.message)")
            }
        }
    }

    @Test func trailingGarbageIsAnError() throws {
        for text in [#"{} x"#, #"{"a":1}}"#, "[1] [2]", "1 2", #""a" "b""#] {
            do {
                _ = try JSON.parse(text)
                Issue.record("\(text) parsed")
            } catch {
                #expect(!error.truncated)
                #expect(error.message.contains("after the JSON value"), "\(error.message)")
            }
        }
        #expect(try JSON.parse("  \n\t{} \r\n ") == .object(JSONObject()))
    }

    @Test func errorOffsetsPointAtTheProblem() throws {
        do { _ = try JSON.parse(#"{"a":1,"b":trux}"#); Issue.record("parsed") } catch {
            #expect(error.offset == 11)
        }
        do { _ = try JSON.parse("[1, 2] x"); Issue.record("parsed") } catch {
            #expect(error.offset == 7)
        }
    }

    @Test func deepNestingIsAnErrorNotACrash() throws {
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(try JSON.parse(fine).arrayValue?.count == 1)
        for depth in [600, 100_000] {
            let deep = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
            do { _ = try JSON.parse(deep); Issue.record("depth \(depth) parsed") } catch {
                #expect(error.message.contains("deeper than 512"), "\(error.message)")
                #expect(!error.truncated)
            }
        }
        let objects = String(repeating: #"{"a":"#, count: 1000) + "1" + String(repeating: "}", count: 1000)
        #expect(throws: JSONError.self) { try JSON.parse(objects) }
    }

    @Test func duplicateKeysAreRecordedAndTheLastWins() throws {
        let value = try JSON.parse(#"{"a":1,"b":2,"a":3,"a":4}"#)
        let o = try #require(value.objectValue)
        #expect(o.duplicateKeys == ["a", "a"])
        #expect(o.keys == ["a", "b"])
        #expect(o["a"] == 4)
        #expect(value.text == #"{"a":4,"b":2}"#)
        #expect(try JSON.parse(#"{"a":1,"b":2}"#).objectValue?.duplicateKeys == [])
    }

    @Test func objectMutationKeepsKeysConsistent() throws {
        var o: JSONObject = ["b": 1, "a": 2]
        o["c"] = 3
        o["b"] = nil
        o["a"] = 5
        #expect(o.keys == ["a", "c"])
        #expect(o.count == 2)
        #expect(JSON.object(o).text == #"{"a":5,"c":3}"#)
    }

    @Test func accessorsAndTypeDescriptions() throws {
        let value = try JSON.parse(#"{"s":"x","n":3,"b":true,"l":[1],"o":{},"z":null}"#)
        #expect(value["s"]?.stringValue == "x")
        #expect(value["n"]?.intValue == 3)
        #expect(value["b"]?.boolValue == true)
        #expect(value["l"]?.arrayValue == [1])
        #expect(value["z"]?.isNull == true)
        #expect(value["missing"] == nil)
        #expect(value["s"]?.intValue == nil)
        #expect(value.typeDescription == "an object")
        #expect(value["l"]?.typeDescription == "an array")
    }

    @Test func contentHashIsStableAndSensitive() throws {
        let a = try JSON.parse(#"{"x":1,"y":[1,2]}"#)
        let b = try JSON.parse(#"{ "y" : [1, 2], "x" : 1 }"#)
        let c = try JSON.parse(#"{"x":1,"y":[2,1]}"#)
        #expect(contentHash(a) == contentHash(b))
        #expect(contentHash(a) != contentHash(c))
        #expect(contentHash(a).count == 16)
        // SHA-256 test vector ("abc").
        let digest = sha256(Array("abc".utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(digest == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let empty = sha256([]).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(empty == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        let long = sha256(Array(String(repeating: "a", count: 1000).utf8)).map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
        #expect(long == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")  // many blocks
    }
}
