import XCTest

@testable import Distributed

final class BinaryCoderTests: XCTestCase {
  struct Inner: Codable, Equatable {
    var name: String
    var values: [Float]
    var flag: Bool?
  }

  struct Outer: Codable, Equatable {
    var id: Int
    var seed: UInt64
    var score: Double
    var codes: [Int32]
    var bits: [UInt32]
    var inner: [Inner]
    var table: [String: [Double]]
    var nested: [[Int]]
    var optional: Float?
  }

  private func roundTrip<T: Codable>(_ value: T) throws -> T {
    try BinaryDecoder().decode(T.self, from: BinaryEncoder().encode(value))
  }

  func testNestedStructsRoundTrip() throws {
    let value = Outer(
      id: -3, seed: .max, score: 0.1, codes: [1, -2, .max], bits: [0, .max, 0x7FC0_0001],
      inner: [Inner(name: "a", values: [1, 2.5], flag: true), Inner(name: "ü", values: [], flag: nil)],
      table: ["x": [1, 2], "": []], nested: [[1], [], [2, 3]], optional: nil)
    XCTAssertEqual(try roundTrip(value), value)
  }

  func testFloatsKeepTheirBitPatterns() throws {
    let payloadNaN = Float(bitPattern: 0x7FC0_1234)
    let floats: [Float] = [payloadNaN, -0.0, .infinity, -.infinity, .leastNonzeroMagnitude, 1.0 / 3.0]
    XCTAssertEqual(try roundTrip(floats).map(\.bitPattern), floats.map(\.bitPattern))
    let doubles: [Double] = [Double(bitPattern: 0x7FF8_0000_0000_BEEF), -0.0, .pi]
    XCTAssertEqual(try roundTrip(doubles).map(\.bitPattern), doubles.map(\.bitPattern))
    XCTAssertEqual(try roundTrip(Float(bitPattern: 0xFFC0_0001)).bitPattern, 0xFFC0_0001)
  }

  func testEmptyArraysKeepTheirType() throws {
    struct Mixed: Codable, Equatable {
      var bits: [UInt32] = []
      var floats: [Float] = []
      var codes: [Int32] = []
    }
    XCTAssertEqual(try roundTrip(Mixed()), Mixed())
    XCTAssertEqual(try roundTrip(Mixed(bits: [1], floats: [], codes: [])), Mixed(bits: [1], floats: [], codes: []))
  }

  func testTruncatedOrTrailingBytesAreErrors() throws {
    let bytes = try BinaryEncoder().encode(Inner(name: "abc", values: [1, 2, 3], flag: false))
    XCTAssertThrowsError(try BinaryDecoder().decode(Inner.self, from: Array(bytes.dropLast())))
    XCTAssertThrowsError(try BinaryDecoder().decode(Inner.self, from: bytes + [0]))
    XCTAssertThrowsError(try BinaryDecoder().decode(Outer.self, from: bytes))
  }

  func testIntegerOutOfRangeIsAnError() throws {
    let bytes = try BinaryEncoder().encode(Int64(300))
    XCTAssertThrowsError(try BinaryDecoder().decode(UInt8.self, from: bytes))
    XCTAssertEqual(try BinaryDecoder().decode(Int16.self, from: bytes), 300)
  }
}
