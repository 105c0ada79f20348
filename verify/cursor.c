/* Where a cursor is, and its name. */
#include <stdlib.h>
#include <string.h>

#include "verify.h"

unsigned vf_line(CXCursor c)
{
    unsigned line;
    clang_getExpansionLocation(clang_getCursorLocation(c), NULL, &line, NULL, NULL);
    return line;
}

int vf_in_main(const vf_file *f, CXCursor c)
{
    CXFile file;
    clang_getExpansionLocation(clang_getCursorLocation(c), &file, NULL, NULL, NULL);
    return file && clang_File_isEqual(file, f->main);
}

char *vf_spelling(CXCursor c)
{
    CXString s = clang_getCursorSpelling(c);
    const char *text = clang_getCString(s);
    size_t len = text ? strlen(text) : 0;
    char *copy = malloc(len + 1);
    if (copy) {
        memcpy(copy, text ? text : "", len);
        copy[len] = 0;
    }
    clang_disposeString(s);
    return copy;
}
