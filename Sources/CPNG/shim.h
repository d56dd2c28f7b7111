#include <png.h>
static inline unsigned cpng_image_version(void) { return PNG_IMAGE_VERSION; }
static inline unsigned cpng_format_gray(void) { return PNG_FORMAT_GRAY; }
static inline unsigned cpng_format_rgb(void) { return PNG_FORMAT_RGB; }
