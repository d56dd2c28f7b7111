import Engine

/// One split of an image dataset held as uint8 pixels `[N, C, H, W]` with int labels; batches are
/// converted to floats on demand (in [0, 1] or [−1, 1]).
public struct ImageSet: Sendable {
  public let pixels: [UInt8]
  public let labels: [Int]
  public let channels: Int
  public let height: Int
  public let width: Int

  public init(pixels: [UInt8], labels: [Int], channels: Int, height: Int, width: Int) throws {
    let size = channels * height * width
    guard size > 0, pixels.count % size == 0 else {
      throw GANError("image set: expected a multiple of \(channels)x\(height)x\(width) pixels, found \(pixels.count)")
    }
    guard labels.isEmpty || labels.count == pixels.count / size else {
      throw GANError("image set: expected \(pixels.count / size) labels, found \(labels.count)")
    }
    self.pixels = pixels
    self.labels = labels
    self.channels = channels
    self.height = height
    self.width = width
  }

  /// The number of images.
  public var count: Int { pixels.count / (channels * height * width) }

  /// The images at `indices` as `[n, C, H, W]` floats in [0, 1] (`range == .zeroToOne`) or [−1, 1].
  public func batch(_ indices: [Int], range: ImageRange = .zeroToOne) -> Tensor {
    let size = channels * height * width
    var data = [Float](repeating: 0, count: indices.count * size)
    let (scale, offset): (Float, Float) = range == .zeroToOne ? (1 / 255, 0) : (2 / 255, -1)
    pixels.withUnsafeBufferPointer { src in
      data.withUnsafeMutableBufferPointer { dst in
        for (row, i) in indices.enumerated() {
          let s = src.baseAddress! + i * size
          let d = dst.baseAddress! + row * size
          for j in 0..<size { d[j] = Float(s[j]) * scale + offset }
        }
      }
    }
    return Tensor(shape: [indices.count, channels, height, width], data: data)
  }

  /// The first `n` images (or all) with their labels.
  public func prefix(_ n: Int) -> ImageSet {
    let k = max(0, min(n, count))
    let size = channels * height * width
    // The sizes are consistent by construction (a prefix of a valid set), so the init cannot fail;
    // a failure would be a programming error and stops with its message.
    do {
      return try ImageSet(
        pixels: Array(pixels[0..<(k * size)]), labels: labels.isEmpty ? [] : Array(labels[0..<k]), channels: channels,
        height: height, width: width)
    } catch {
      preconditionFailure("ImageSet.prefix(\(n)) of a valid set failed: \(error)")
    }
  }
}

/// The range real images are scaled to before D sees them.
public enum ImageRange: String, Sendable, Codable, CaseIterable {
  /// [0, 1], as the official MNIST code feeds them (G still ends in tanh).
  case zeroToOne = "zero-one"
  /// [−1, 1], the usual DCGAN practice for a tanh generator.
  case minusOneToOne = "minus-one-one"
}
