import Engine

/// The hidden-layer activation of a DCGAN network.
public enum GANActivation: String, Sendable, Codable, CaseIterable {
  case relu
  case leakyRelu

  /// Applies the activation (leaky slope 0.2, TensorFlow's default in the official code).
  func apply(_ x: Variable) -> Variable {
    switch self {
    case .relu: return x.relu()
    case .leakyRelu: return x.leakyRelu(0.2)
    }
  }
}

/// The size and shape of a DCGAN (paper-spec 4.1 and 4.2; Radford et al. 2015).
///
/// Images of 28 pixels use two stride-2 (de)convolutions (7 → 14 → 28), images of 32 pixels three
/// (4 → 8 → 16 → 32). `baseWidth` is the channel count of D's first convolution and G's last hidden
/// layer; each layer further from the image doubles it.
public struct DCGANConfig: Sendable, Codable, Equatable {
  /// Image channels (1 gray, 3 RGB).
  public var channels: Int
  /// Image height and width (28 or 32).
  public var imageSize: Int
  /// Base number of filters (dim_c; 64 in the paper).
  public var baseWidth: Int
  /// Size of the latent vector z (dim_z; 128 in the paper).
  public var zSize: Int
  /// Batch normalization in G (after every hidden layer) and D (after every convolution but the first).
  public var batchNorm: Bool
  /// G's hidden activation (ReLU in the paper).
  public var generatorActivation: GANActivation
  /// D's hidden activation (leaky ReLU in the paper).
  public var discriminatorActivation: GANActivation

  public init(
    channels: Int, imageSize: Int, baseWidth: Int, zSize: Int, batchNorm: Bool,
    generatorActivation: GANActivation = .relu, discriminatorActivation: GANActivation = .leakyRelu
  ) {
    self.channels = channels
    self.imageSize = imageSize
    self.baseWidth = baseWidth
    self.zSize = zSize
    self.batchNorm = batchNorm
    self.generatorActivation = generatorActivation
    self.discriminatorActivation = discriminatorActivation
  }

  /// The MNIST DCGAN of paper-spec 4.1: no batch norm, z 128, base width 64, 28×28×1.
  public static let mnist = DCGANConfig(channels: 1, imageSize: 28, baseWidth: 64, zSize: 128, batchNorm: false)
  /// The CIFAR-10 DCGAN of paper-spec 4.2: batch norm, z 128, base width 64, 32×32×3.
  public static let cifar10 = DCGANConfig(channels: 3, imageSize: 32, baseWidth: 64, zSize: 128, batchNorm: true)

  /// The number of stride-2 layers: 2 for 28-pixel images, 3 for 32-pixel ones.
  public var depth: Int { imageSize % 8 == 0 ? 3 : 2 }
  /// The spatial size of G's first feature map (7 or 4).
  public var startSize: Int { imageSize >> depth }

  /// Checks that the sizes make a valid network; the message names the bad setting.
  public func validate() throws {
    guard channels == 1 || channels == 3 else {
      throw GANError("model.channels: expected 1 or 3, found \(channels)")
    }
    guard imageSize == 28 || imageSize == 32 else {
      throw GANError("model.imageSize: expected 28 or 32, found \(imageSize)")
    }
    guard baseWidth >= 1, zSize >= 1 else {
      throw GANError("model: expected baseWidth and zSize >= 1, found \(baseWidth) and \(zSize)")
    }
  }
}

/// An error in a GAN setting or input, with a message that names what was expected and found.
public struct GANError: Error, CustomStringConvertible, Sendable {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}
