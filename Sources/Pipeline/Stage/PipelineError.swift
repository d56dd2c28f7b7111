/// An error of a pipeline stage, with a message that says which file or setting is wrong,
/// what was expected and what was found.
public struct PipelineError: Error, CustomStringConvertible, Sendable {
  public let message: String

  public init(_ message: String) { self.message = message }

  public var description: String { message }
}
