#include <hdf5.h>
/* HDF5's type and property "constants" are macros that call H5open(); Swift cannot import them. */
static inline hid_t h5s_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t h5s_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t h5s_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t h5s_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t h5s_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t h5s_c_s1(void) { return H5T_C_S1; }
static inline unsigned h5s_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned h5s_acc_excl(void) { return H5F_ACC_EXCL; }
static inline unsigned h5s_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned h5s_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline hid_t h5s_p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t h5s_p_link_create(void) { return H5P_LINK_CREATE; }
static inline hid_t h5s_p_file_access(void) { return H5P_FILE_ACCESS; }
static inline hid_t h5s_p_default(void) { return H5P_DEFAULT; }
static inline hid_t h5s_e_default(void) { return H5E_DEFAULT; }
static inline hid_t h5s_s_all(void) { return H5S_ALL; }
static inline hsize_t h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline size_t h5s_variable(void) { return H5T_VARIABLE; }
static inline void h5s_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
