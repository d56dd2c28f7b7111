#include <oneapi/dnnl/dnnl.h>

/* Debian's oneDNN runs its primitives on OpenMP (DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP, libgomp);
   the Engine sets the OpenMP thread count of the calling thread before each primitive runs. omp.h
   lives in the compiler's own include folder, so the one function used is declared here. */
#if DNNL_CPU_RUNTIME == DNNL_RUNTIME_OMP
void omp_set_num_threads(int num_threads);
static inline void cdnnl_set_threads(int n) { omp_set_num_threads(n); }
#else
static inline void cdnnl_set_threads(int n) { (void)n; }
#endif
