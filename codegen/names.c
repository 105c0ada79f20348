#include <ctype.h>
#include <string.h>

#include "codegen.h"

void cg_identifier(const char *raw, int upper, char *out, size_t size)
{
    size_t w = 0;
    if (size < 3)
        return;
    if (!raw || !*raw)
        raw = "t";
    if (isdigit((unsigned char)raw[0]))
        out[w++] = upper ? 'V' : 'v';
    for (const char *p = raw; *p && w + 1 < size; p++) {
        unsigned char ch = (unsigned char)*p;
        char c = (char)(isalnum(ch) && ch < 128 ? ch : '_');
        /* Runs of replaced characters collapse into one underscore. */
        if (c == '_' && w > 0 && out[w - 1] == '_')
            continue;
        out[w++] = (char)(upper ? toupper((unsigned char)c) : c);
    }
    out[w] = 0;
}
