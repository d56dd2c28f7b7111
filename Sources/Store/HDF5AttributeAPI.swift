// Attribute calls shared by groups and datasets (the root group's attributes are the file's
// attributes).

/// An HDF5 object that carries attributes: a group (the root group = the file) or a dataset.
public protocol HDF5AttributeOwner: AnyObject {
  /// The file the object belongs to.
  var file: HDF5File { get }
  /// The object's path in the file, e.g. `/episodes/0007`.
  var path: String { get }
  /// The HDF5 identifier of the open object (`hid_t`).
  var objectID: Int64 { get }
}

extension HDF5AttributeOwner {
  var attributes: H5Attributes { H5Attributes(file: file, id: objectID, path: path) }

  /// Sets a variable-length UTF-8 string attribute (scalar), replacing any existing one.
  public func setAttribute(_ name: String, _ value: String) throws {
    try attributes.set(name, string: value)
  }

  /// Sets a scalar numeric attribute, replacing any existing one.
  public func setAttribute<T: HDF5Element>(_ name: String, _ value: T) throws {
    try attributes.set(name, values: [value], shape: [])
  }

  /// Sets a 1-D numeric attribute, replacing any existing one (an empty array is stored with a
  /// null dataspace, as h5py does).
  public func setAttribute<T: HDF5Element>(_ name: String, _ values: [T]) throws {
    try attributes.set(name, values: values, shape: [values.count])
  }

  /// Reads a string attribute (variable or fixed length, scalar or one element).
  public func attributeString(_ name: String) throws -> String {
    try attributes.string(name)
  }

  /// Reads a scalar (or one-element) numeric attribute; the dtype must be `T.hdf5Kind`.
  public func attribute<T: HDF5Element>(_ name: String, as type: T.Type) throws -> T {
    try attributes.scalar(name, as: type)
  }

  /// Reads a numeric attribute of any shape, flattened; the dtype must be `T.hdf5Kind`.
  public func attributeArray<T: HDF5Element>(_ name: String, as type: T.Type) throws -> [T] {
    try attributes.array(name, as: type)
  }

  /// The dtype name of attribute `name` ("float32", ..., "string").
  public func attributeDtypeName(_ name: String) throws -> String {
    try attributes.dtypeName(name)
  }

  /// The names of all attributes, sorted.
  public func attributeNames() throws -> [String] {
    try attributes.names()
  }

  /// Whether attribute `name` exists.
  public func hasAttribute(_ name: String) -> Bool {
    attributes.has(name)
  }

  /// Deletes attribute `name`.
  public func deleteAttribute(_ name: String) throws {
    try attributes.delete(name)
  }
}
