import CPNG
import Foundation

/// How float pixel values map to 0...255.
public enum PNGValueRange: Sendable {
  /// 0 is black, 1 is white.
  case zeroToOne
  /// -1 is black, 1 is white (tanh generator outputs).
  case minusOneToOne
}

/// Writes 8-bit PNG files through libpng's simplified API (`png_image_write_to_file`).
///
/// Files are written to a hidden temporary (`.tmp-…`) in the destination folder and renamed into
/// place, so no partial PNG is ever left under the final name.
public enum PNGWriter {
  /// Lays out `count` images as a grid with `padding` black pixels around and between them.
  ///
  /// - Parameters:
  ///   - images: `count × height × width × channels` floats, row-major, channel-last
  ///     (`channels` is 1 for gray or 3 for RGB). Values are clamped to `range`; NaN becomes black.
  ///   - columns: images per row; nil picks `ceil(sqrt(count))`.
  /// - Returns: the pixel size of the grid, `(width, height)`.
  @discardableResult
  public static func writeGrid(
    images: [Float], count: Int, height: Int, width: Int, channels: Int,
    range: PNGValueRange = .zeroToOne, columns: Int? = nil, padding: Int = 2, to path: String
  ) throws -> (width: Int, height: Int) {
    guard count > 0, height > 0, width > 0 else {
      throw StoreError(
        .invalidArgument, path: path, "cannot write an empty grid: count \(count), image \(height)x\(width)")
    }
    guard channels == 1 || channels == 3 else {
      throw StoreError(.invalidArgument, path: path, "expected 1 (gray) or 3 (RGB) channels, found \(channels)")
    }
    guard padding >= 0 else {
      throw StoreError(.invalidArgument, path: path, "padding must be >= 0, found \(padding)")
    }
    let expected = count * height * width * channels
    guard images.count == expected else {
      throw StoreError(
        .shapeMismatch, path: path,
        "expected \(count)x\(height)x\(width)x\(channels) = \(expected) values, found \(images.count)")
    }
    let cols = max(1, min(count, columns ?? Int(Double(count).squareRoot().rounded(.up))))
    let rows = (count + cols - 1) / cols
    let gridWidth = cols * width + (cols + 1) * padding
    let gridHeight = rows * height + (rows + 1) * padding
    var pixels = [UInt8](repeating: 0, count: gridWidth * gridHeight * channels)
    let (offset, scale): (Float, Float) = range == .zeroToOne ? (0, 255) : (1, 127.5)
    for image in 0..<count {
      let x0 = padding + (image % cols) * (width + padding)
      let y0 = padding + (image / cols) * (height + padding)
      for y in 0..<height {
        let source = ((image * height + y) * width) * channels
        let target = ((y0 + y) * gridWidth + x0) * channels
        for i in 0..<(width * channels) {
          let v = (images[source + i] + offset) * scale
          pixels[target + i] = v.isNaN ? 0 : UInt8(min(255, max(0, v.rounded())))
        }
      }
    }
    try write(pixels: pixels, width: gridWidth, height: gridHeight, channels: channels, to: path)
    return (gridWidth, gridHeight)
  }

  /// Writes 8-bit pixels (`height × width × channels`, channels 1 = gray, 3 = RGB, 4 = RGBA).
  public static func write(pixels: [UInt8], width: Int, height: Int, channels: Int, to path: String) throws {
    guard width > 0, height > 0, width <= Int(UInt32.max), height <= Int(UInt32.max) else {
      throw StoreError(.invalidArgument, path: path, "invalid PNG size \(width)x\(height)")
    }
    let format: UInt32
    switch channels {
    case 1: format = cpng_format_gray()
    case 3: format = cpng_format_rgb()
    case 4: format = cpng_format_rgba()
    default: throw StoreError(.invalidArgument, path: path, "expected 1, 3 or 4 channels, found \(channels)")
    }
    guard pixels.count == width * height * channels else {
      throw StoreError(
        .shapeMismatch, path: path, "expected \(width * height * channels) bytes, found \(pixels.count)")
    }
    let directory = (path as NSString).deletingLastPathComponent
    let folder = directory.isEmpty ? "." : directory
    guard FileManager.default.fileExists(atPath: folder) else {
      throw StoreError(.io, path: path, "cannot write PNG: the folder \(folder) does not exist")
    }
    let base = (path as NSString).lastPathComponent
    let temp = (folder as NSString).appendingPathComponent(".tmp-\(base)-\(FileSystem.uniqueSuffix()).png")
    var image = png_image()
    image.version = cpng_image_version()
    image.width = UInt32(width)
    image.height = UInt32(height)
    image.format = format
    let ok = pixels.withUnsafeBytes { png_image_write_to_file(&image, temp, 0, $0.baseAddress, 0, nil) }
    guard ok != 0 else {
      let message = PNGImageMessage.text(of: &image)
      png_image_free(&image)
      FileSystem.remove(temp)
      throw StoreError(.png, path: path, "cannot write PNG: \(message)")
    }
    do {
      try FileSystem.fsyncFile(temp)
      try FileSystem.replace(temp, with: path)
    } catch {
      FileSystem.remove(temp)
      throw error
    }
  }
}

/// An 8-bit image read from a PNG file: `pixels` are `height × width × channels`.
public struct PNGImage: Sendable, Equatable {
  public let width: Int
  public let height: Int
  /// 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
  public let channels: Int
  public let pixels: [UInt8]
}

/// Reads PNG files through libpng's simplified API (for checks and tests).
public enum PNGReader {
  public static func read(_ path: String) throws -> PNGImage {
    guard FileManager.default.fileExists(atPath: path) else {
      throw StoreError(.fileNotFound, path: path, "no such file (expected a PNG)")
    }
    var image = png_image()
    image.version = cpng_image_version()
    guard png_image_begin_read_from_file(&image, path) != 0 else {
      let message = PNGImageMessage.text(of: &image)
      png_image_free(&image)
      throw StoreError(.png, path: path, "cannot read PNG: \(message)")
    }
    // Keep gray/colour and alpha; drop colour maps, 16-bit linear and channel-order flags.
    image.format &= 3
    let channels = Int(cpng_image_channels(&image))
    let count = Int(image.width) * Int(image.height) * channels
    var pixels = [UInt8](repeating: 0, count: count)
    let ok = pixels.withUnsafeMutableBytes { png_image_finish_read(&image, nil, $0.baseAddress, 0, nil) }
    guard ok != 0 else {
      let message = PNGImageMessage.text(of: &image)
      png_image_free(&image)
      throw StoreError(.png, path: path, "cannot decode PNG: \(message)")
    }
    return PNGImage(width: Int(image.width), height: Int(image.height), channels: channels, pixels: pixels)
  }
}

enum PNGImageMessage {
  /// The NUL-terminated `message` field of a png_image.
  static func text(of image: inout png_image) -> String {
    withUnsafeBytes(of: &image.message) { raw in
      let bytes = raw.prefix(while: { $0 != 0 })
      return bytes.isEmpty ? "unknown libpng error" : String(decoding: bytes, as: UTF8.self)
    }
  }
}
