/* Decode one rectangle of a JPEG with libjpeg(-turbo): simdr_lite/data/jpeg_region.py builds and calls it.
 *
 * libjpeg-turbo (>= 1.5) can skip the rows above a rectangle (jpeg_skip_scanlines: their entropy data is
 * still decoded, their IDCT and colour conversion are not), narrow each output row to the rectangle's
 * columns (jpeg_crop_scanline, widened to whole iMCU columns) and stop after the rectangle's last row.
 * The pixels it writes are those of a full decode with the library's defaults (OpenCV's cv2.imdecode):
 * islow IDCT, fancy upsampling, BGR out; the caller widens the rectangle by one MCU on each side so that
 * chroma upsampling at the cut sees the same neighbours.
 *
 * Rows y0..y1-1 of the rectangle are written into `out`, a BGR image of the whole (scaled) picture with
 * `stride` bytes per row, at their own place; nothing else in `out` is touched.
 * Returns 0, or -1 on a libjpeg error (a corrupt file, an unsupported colour space), or -2 when the
 * scaled picture is not `width` x `height`. Warnings (e.g. extraneous bytes) are silent, as errors are:
 * the caller then decodes the whole image with OpenCV, which judges the file.
 */
#include <setjmp.h>
#include <stdio.h>
#include <jpeglib.h>

struct region_error {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
};

static void on_error(j_common_ptr cinfo) { longjmp(((struct region_error *)cinfo->err)->jump, 1); }

static void on_message(j_common_ptr cinfo, int level) { (void)cinfo; (void)level; }

int simdr_decode_region(const unsigned char *data, unsigned long size, int denom, int x0, int y0, int x1,
                        int y1, int width, int height, unsigned char *out, long stride)
{
    struct jpeg_decompress_struct cinfo;
    struct region_error err;
    JDIMENSION xoff, cols;
    volatile int status = 0; /* volatile: kept across the longjmp */

    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = on_error;
    err.pub.emit_message = on_message;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.out_color_space = JCS_EXT_BGR;
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned int)denom;
    jpeg_start_decompress(&cinfo);
    if ((int)cinfo.output_width != width || (int)cinfo.output_height != height) {
        status = -2;
    } else {
        xoff = (JDIMENSION)x0;
        cols = (JDIMENSION)(x1 - x0);
        if (x0 > 0 || x1 < width)
            jpeg_crop_scanline(&cinfo, &xoff, &cols);
        if (y0 > 0)
            jpeg_skip_scanlines(&cinfo, (JDIMENSION)y0);
        while ((int)cinfo.output_scanline < y1) {
            JSAMPROW row = out + (long)cinfo.output_scanline * stride + (long)xoff * 3;
            jpeg_read_scanlines(&cinfo, &row, 1);
        }
    }
    jpeg_abort_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return status;
}
