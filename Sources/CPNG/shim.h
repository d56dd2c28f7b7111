#include <png.h>
static inline unsigned cpng_image_version(void) { return PNG_IMAGE_VERSION; }
static inline unsigned cpng_format_gray(void) { return PNG_FORMAT_GRAY; }
static inline unsigned cpng_format_rgb(void) { return PNG_FORMAT_RGB; }
static inline unsigned cpng_format_rgba(void) { return PNG_FORMAT_RGBA; }
/* PNG_IMAGE_SIZE and friends are function-like macros; these are the pieces Swift needs. */
static inline unsigned cpng_image_channels(png_imagep image) { return PNG_IMAGE_SAMPLE_CHANNELS(image->format); }
