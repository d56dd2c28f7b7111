import CBLAS

/// Thin wrappers over OpenBLAS.
public enum BLAS {
  /// Sets the number of OpenBLAS threads and of the OpenMP threads oneDNN's convolutions run with
  /// (the project default is 1).
  public static func setThreads(_ n: Int) {
    openblas_set_num_threads(Int32(n))
    DNNL.threads = max(n, 1)
  }
  /// The number of OpenBLAS threads in use.
  public static var threads: Int { Int(openblas_get_num_threads()) }

  /// C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C, all row-major and contiguous; through
  /// oneDNN's `dnnl_sgemm` when ``DNNL/everyGEMM`` is on, otherwise (or when oneDNN refuses) OpenBLAS.
  @inline(__always)
  public static func gemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, beta: Float = 0,
    _ c: UnsafeMutablePointer<Float>
  ) {
    if m == 0 || n == 0 { return }
    if k == 0 {
      if beta == 0 {
        c.update(repeating: 0, count: m * n)
      } else if beta != 1 {
        for i in 0..<(m * n) { c[i] *= beta }
      }
      return
    }
    if DNNL.everyGEMM
      && DNNL.gemm(
        transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: transA ? m : k, b,
        ldb: transB ? k : n, beta: beta, c, ldc: n)
    {
      return
    }
    cblas_sgemm(
      CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
      Int32(m), Int32(n), Int32(k), alpha, a, Int32(transA ? m : k), b, Int32(transB ? k : n),
      beta, c, Int32(n))
  }

  /// The row-major product of two rank-2 tensors, with optional transposes.
  public static func matmul(_ a: Tensor, _ b: Tensor, transA: Bool = false, transB: Bool = false) -> Tensor {
    precondition(a.rank == 2 && b.rank == 2, "matmul needs rank-2 tensors, got \(a.shape) and \(b.shape)")
    let m = transA ? a.shape[1] : a.shape[0]
    let k = transA ? a.shape[0] : a.shape[1]
    let kb = transB ? b.shape[1] : b.shape[0]
    let n = transB ? b.shape[0] : b.shape[1]
    precondition(k == kb, "matmul of \(a.shape)\(transA ? "^T" : "") and \(b.shape)\(transB ? "^T" : "")")
    // gemm with beta 0 writes every element, so the output starts uninitialized.
    let out = [Float](unsafeUninitializedCapacity: m * n) { pc, count in
      if k == 0 {
        pc.initialize(repeating: 0)
      } else if m > 0 && n > 0 {
        a.data.withUnsafeBufferPointer { pa in
          b.data.withUnsafeBufferPointer { pb in
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
          }
        }
      }
      count = m * n
    }
    return Tensor(shape: [m, n], data: out)
  }
}
