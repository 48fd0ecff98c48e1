#include <hdf5.h>
#include <string.h>

/* HDF5 hides these behind macros that Swift cannot import; these return them. */
static inline hid_t wx_H5P_DEFAULT(void) { return H5P_DEFAULT; }
static inline hid_t wx_H5S_ALL(void) { return H5S_ALL; }
static inline hid_t wx_H5E_DEFAULT(void) { return H5E_DEFAULT; }
static inline unsigned wx_H5F_ACC_RDONLY(void) { return H5F_ACC_RDONLY; }
static inline unsigned wx_H5F_ACC_TRUNC(void) { return H5F_ACC_TRUNC; }
static inline hid_t wx_H5P_DATASET_XFER(void) { return H5P_DATASET_XFER; }
static inline hid_t wx_H5T_NATIVE_DOUBLE(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t wx_H5T_NATIVE_FLOAT(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t wx_H5T_NATIVE_INT64(void) { return H5T_NATIVE_INT64; }
static inline hid_t wx_H5T_C_S1(void) { return H5T_C_S1; }
/* Stops HDF5 printing its error stack to stderr; wxens reports errors itself. */
static inline void wx_H5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
static inline hid_t wx_H5T_NATIVE_INT8(void) { return H5T_NATIVE_INT8; }
static inline hid_t wx_H5T_NATIVE_UINT8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t wx_H5T_NATIVE_INT16(void) { return H5T_NATIVE_INT16; }
static inline hid_t wx_H5T_NATIVE_UINT16(void) { return H5T_NATIVE_UINT16; }
static inline hid_t wx_H5T_NATIVE_INT32(void) { return H5T_NATIVE_INT32; }
static inline hid_t wx_H5T_NATIVE_UINT32(void) { return H5T_NATIVE_UINT32; }
static inline hid_t wx_H5T_NATIVE_UINT64(void) { return H5T_NATIVE_UINT64; }
static inline size_t wx_H5T_VARIABLE(void) { return H5T_VARIABLE; }
/* The address of an object in its file (a number unique within the file), for finding hard-link cycles; -1 on error. */
static inline long long wx_H5_object_address(hid_t oid) {
#if H5_VERSION_GE(1, 12, 0)
    H5O_info2_t info;
    if (H5Oget_info3(oid, &info, H5O_INFO_BASIC) < 0) return -1;
    long long a = 0;
    memcpy(&a, &info.token, sizeof(a) < sizeof(info.token) ? sizeof(a) : sizeof(info.token));
    return a;
#else
    H5O_info_t info;
    if (H5Oget_info2(oid, &info, H5O_INFO_BASIC) < 0) return -1;
    return (long long)info.addr;
#endif
}
