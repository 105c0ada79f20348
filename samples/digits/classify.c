/* Classifies the digits test set with the C that scnnc generated from
 * digits.onnx (digits.c + digits.h, compiled with --name digits or -o digits.c).
 *
 * usage: classify test_images.bin test_labels.bin
 *   test_images.bin: float32 little-endian, N x 1 x 8 x 8
 *   test_labels.bin: uint8, N labels 0..9
 * Prints "accuracy: X% (k/N)"; exit 0, or 2 on a file problem. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "digits.h"

#define MAX_IMAGES 2000
#define PIXELS DIGITS_INPUT_IMAGE_COUNT
#define CLASSES DIGITS_OUTPUT_LOGITS_COUNT

static float images[MAX_IMAGES][PIXELS];
static uint8_t labels[MAX_IMAGES];

/* Reads up to max_items items of item_size bytes; returns how many, or -1. */
static long read_file(const char *path, void *buf, size_t item_size, size_t max_items)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "classify: cannot open %s\n", path);
        return -1;
    }
    size_t n = fread(buf, item_size, max_items, f);
    int extra = fgetc(f) != EOF;
    fclose(f);
    if (extra) {
        fprintf(stderr, "classify: %s holds more than %lu items\n", path,
                (unsigned long)max_items);
        return -1;
    }
    return (long)n;
}

static int argmax(const float *v, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (v[i] > v[best])
            best = i;
    return best;
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s test_images.bin test_labels.bin\n", argv[0]);
        return 2;
    }
    /* The .bin files are little-endian float32, the layout of every host this
     * sample is meant for; refuse anything else rather than misread it. */
    const uint32_t one = 1;
    if (sizeof(float) != 4 || *(const uint8_t *)&one != 1) {
        fprintf(stderr, "classify: needs a little-endian host with 32-bit float\n");
        return 2;
    }
    long n_img = read_file(argv[1], images, sizeof images[0], MAX_IMAGES);
    long n_lab = read_file(argv[2], labels, 1, MAX_IMAGES);
    if (n_img < 0 || n_lab < 0)
        return 2;
    if (n_img != n_lab || n_img == 0) {
        fprintf(stderr, "classify: %ld images but %ld labels\n", n_img, n_lab);
        return 2;
    }
    long correct = 0;
    for (long i = 0; i < n_img; i++) {
        float logits[CLASSES];
        if (digits_run(images[i], logits) != 0) {
            fprintf(stderr, "classify: digits_run failed on image %ld\n", i);
            return 2;
        }
        if (argmax(logits, CLASSES) == labels[i])
            correct++;
    }
    printf("accuracy: %.2f%% (%ld/%ld)\n", 100.0 * (double)correct / (double)n_img, correct,
           n_img);
    return 0;
}
