#include <mpi.h>
#include <stdlib.h>
/* Open MPI's handles and constants are macros over addresses of global objects; Swift cannot import
   them, so they are wrapped here. */
static inline MPI_Comm cmpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype cmpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype cmpi_int(void) { return MPI_INT; }
static inline MPI_Datatype cmpi_int64(void) { return MPI_INT64_T; }
static inline MPI_Errhandler cmpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int cmpi_success(void) { return MPI_SUCCESS; }
static inline int cmpi_thread_serialized(void) { return MPI_THREAD_SERIALIZED; }
static inline int cmpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

/* At process exit: a clean exit (status 0) finalizes MPI; a failing one does not, so that a rank
   that fails alone never blocks in MPI_Finalize waiting for ranks that wait for it (the launcher
   sees the non-zero exit and ends the job). */
static void cmpi_exit_handler(int status, void *arg) {
  (void)arg;
  int initialized = 0, finalized = 0;
  MPI_Initialized(&initialized);
  MPI_Finalized(&finalized);
  if (initialized && !finalized && status == 0) MPI_Finalize();
}
static inline int cmpi_finalize_at_clean_exit(void) { return on_exit(cmpi_exit_handler, NULL); }

