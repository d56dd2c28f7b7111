import Foundation
import XCTest

@testable import Store

final class HDF5RoundTripTests: StoreTestCase {
  static let shapes: [[Int]] = [[], [5], [3, 4], [2, 3, 4], [0], [2, 0, 3]]

  private func roundTrip<T: HDF5Element & Equatable>(_ type: T.Type, dtype: String, make: (Int) -> T) throws {
    let file = path("\(dtype).h5")
    do {
      let h5 = try HDF5File.create(file)
      for (index, shape) in Self.shapes.enumerated() {
        let values = (0..<shape.reduce(1, *)).map(make)
        try h5.root.write("rank\(shape.count)_\(index)", values, shape: shape)
      }
    }
    let h5 = try HDF5File.open(file)
    for (index, shape) in Self.shapes.enumerated() {
      let name = "rank\(shape.count)_\(index)"
      let array = try h5.root.read(name, as: type)
      XCTAssertEqual(array.shape, shape, name)
      XCTAssertEqual(array.values, (0..<shape.reduce(1, *)).map(make), name)
      XCTAssertEqual(try h5.root.shape(of: name), shape)
      XCTAssertEqual(try h5.root.dtypeName(of: name), dtype)
    }
  }

  func testFloat32() throws { try roundTrip(Float.self, dtype: "float32") { Float($0) * 0.5 - 3 } }
  func testFloat64() throws { try roundTrip(Double.self, dtype: "float64") { Double($0) / 3 } }
  func testInt32() throws { try roundTrip(Int32.self, dtype: "int32") { Int32($0) * -7 } }
  func testInt64() throws { try roundTrip(Int64.self, dtype: "int64") { Int64($0) << 40 } }
  func testUInt8() throws { try roundTrip(UInt8.self, dtype: "uint8") { UInt8($0 % 256) } }
  func testIntStoredAsInt64() throws {
    try roundTrip(Int.self, dtype: "int64") { $0 * 1_000_000_007 }
    let h5 = try HDF5File.open(path("int64.h5"))
    XCTAssertEqual(
      try h5.root.read("rank1_1", as: Int64.self).values, [0, 1, 2, 3, 4].map { Int64($0) * 1_000_000_007 })
  }

  func testScalarHelper() throws {
    let h5 = try HDF5File.create(path("s.h5"))
    try h5.root.write("pi", scalar: Double.pi)
    let array = try h5.root.read("pi", as: Double.self)
    XCTAssertEqual(array.shape, [])
    XCTAssertEqual(array.values, [Double.pi])
  }

  func testChunkedGzip() throws {
    let file = path("gzip.h5")
    let values = (0..<(100 * 64)).map { Float($0 % 97) * 0.25 }
    do {
      let h5 = try HDF5File.create(file)
      try h5.root.write("weights", values, shape: [100, 64], chunks: [25, 64], compression: 6)
      try h5.root.write("auto", values, shape: [100, 64], compression: 4)
      try h5.root.write("chunkOnly", values, shape: [6400], chunks: [10_000])
    }
    let h5 = try HDF5File.open(file)
    let weights = try h5.root.dataset("weights")
    XCTAssertEqual(try weights.chunks, [25, 64])
    XCTAssertEqual(try weights.read(as: Float.self), HDF5Array(shape: [100, 64], values: values))
    XCTAssertEqual(try h5.root.read("auto", as: Float.self).values, values)
    XCTAssertNotNil(try h5.root.dataset("auto").chunks)
    XCTAssertEqual(try h5.root.dataset("chunkOnly").chunks, [6400], "chunks are clamped to the shape")
    let size = (try FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? .max
    XCTAssertLessThan(size, 3 * 6400 * 4, "gzip should shrink the repetitive data")

    if let (status, output) = try run("/usr/bin/h5dump", ["-p", "-H", file]) {
      XCTAssertEqual(status, 0, output)
      XCTAssertTrue(output.contains("DEFLATE"), output)
      XCTAssertTrue(output.contains("weights"), output)
      XCTAssertTrue(output.contains("H5T_IEEE_F32LE"), output)
    }
  }

  func testZeroSizedWithCompressionFallsBackToContiguous() throws {
    let h5 = try HDF5File.create(path("z.h5"))
    try h5.root.write("empty", [Float](), shape: [0, 8], compression: 4)
    XCTAssertEqual(try h5.root.read("empty", as: Float.self).shape, [0, 8])
    XCTAssertNil(try h5.root.dataset("empty").chunks)
  }

  func testExtendableAcrossReopen() throws {
    let file = path("ext.h5")
    do {
      let h5 = try HDF5File.create(file)
      let losses = try h5.root.createExtendable("episodes/0001/losses", as: Float.self, rowShape: [3], chunkRows: 4)
      XCTAssertEqual(try losses.rowCount, 0)
      try losses.append([1, 2, 3, 4, 5, 6], count: 2)
      try losses.append(row: [7, 8, 9])
      XCTAssertEqual(try losses.rowCount, 3)
      let steps = try h5.root.createExtendable("steps", as: Int32.self, rowShape: [])
      try steps.append([10, 20], count: 2)
    }
    do {
      let h5 = try HDF5File.open(file, writable: true)
      let losses = try h5.root.extendable("episodes/0001/losses", as: Float.self)
      XCTAssertEqual(losses.rowShape, [3])
      XCTAssertEqual(try losses.rowCount, 3)
      try losses.append((10...21).map(Float.init), count: 4)
      XCTAssertEqual(try losses.rowCount, 7)
      try h5.root.extendable("steps", as: Int32.self).append([30], count: 1)
    }
    assertStoreError(.shapeMismatch, contains: ["ext.h5", "/episodes/0001/losses", "needs 6 values, found 1"]) {
      try HDF5File.open(file, writable: true).root.extendable("episodes/0001/losses", as: Float.self).append(
        [1], count: 2)
    }
    let h5 = try HDF5File.open(file)
    let losses = try h5.root.read("episodes/0001/losses", as: Float.self)
    XCTAssertEqual(losses.shape, [7, 3])
    XCTAssertEqual(losses.values, (1...21).map(Float.init))
    XCTAssertEqual(try h5.root.extendable("steps", as: Int32.self).read().values, [10, 20, 30])
    XCTAssertEqual(try h5.root.dataset("steps").maxShape, [nil])
    assertStoreError(.typeMismatch, contains: ["ext.h5", "/steps", "float32", "int32"]) {
      try h5.root.extendable("steps", as: Float.self)
    }
  }

  func testExtendableRejectsFixedDataset() throws {
    let h5 = try HDF5File.create(path("fixed.h5"))
    try h5.root.write("fixed", [Float](repeating: 0, count: 4), shape: [4])
    assertStoreError(.typeMismatch, contains: ["/fixed", "unlimited"]) {
      try h5.root.extendable("fixed", as: Float.self)
    }
  }

  func testParallelFilesDoNotInterfere() throws {
    let base = tmp
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
      let file = (base as NSString).appendingPathComponent("p\(worker).h5")
      do {
        let h5 = try HDF5File.create(file)
        let trace = try h5.root.createExtendable("trace", as: Int64.self, rowShape: [2], chunkRows: 8)
        for step in 0..<50 { try trace.append([Int64(worker), Int64(step)], count: 1) }
        try h5.root.setAttribute("worker", Int64(worker))
      } catch {
        XCTFail("worker \(worker): \(error)")
      }
    }
    for worker in 0..<8 {
      let h5 = try HDF5File.open(path("p\(worker).h5"))
      let trace = try h5.root.read("trace", as: Int64.self)
      XCTAssertEqual(trace.shape, [50, 2])
      XCTAssertEqual(trace.values, (0..<50).flatMap { [Int64(worker), Int64($0)] })
      XCTAssertEqual(try h5.root.attribute("worker", as: Int64.self), Int64(worker))
    }
  }
}
