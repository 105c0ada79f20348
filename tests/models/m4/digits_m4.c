/* Classifies a few digits test images on the Cortex-M4 with the C that
 * scnnc generated from samples/digits/digits.onnx, and compares each
 * predicted class with PyTorch's. m4_images.h (made by cortex_m4.sh from
 * test_images.bin and test_predictions.bin) holds the images and classes. */
#include <stdint.h>
#include <string.h>

#include "digits.h"
#include "m4.h"
#include "m4_images.h"

static void put_uint(unsigned v)
{
    char buf[12];
    int i = (int)sizeof buf - 1;
    buf[i] = 0;
    do {
        buf[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v && i > 0);
    m4_puts(buf + i);
}

int m4_main(void)
{
    static float image[DIGITS_INPUT_IMAGE_COUNT];
    float logits[DIGITS_OUTPUT_LOGITS_COUNT];
    unsigned match = 0;
    m4_puts("m4: predicted");
    for (unsigned n = 0; n < M4_IMAGES; n++) {
        memcpy(image, m4_image_bytes + n * sizeof image, sizeof image);
        if (digits_run(image, logits) != 0)
            return 1;
        unsigned best = 0;
        for (unsigned k = 1; k < DIGITS_OUTPUT_LOGITS_COUNT; k++)
            if (logits[k] > logits[best])
                best = k;
        m4_puts(" ");
        put_uint(best);
        match += best == m4_expected[n];
    }
    m4_puts("\nm4: ");
    put_uint(match);
    m4_puts("/");
    put_uint(M4_IMAGES);
    m4_puts(" match PyTorch\n");
    return match == M4_IMAGES ? 0 : 1;
}
