/* Rule 1: the file itself includes only the four allowed standard headers,
 * written with angle brackets (a quoted name would search the file's own
 * folder first and could pick up anything). What those headers include in
 * turn is the C library's business. */
#include <string.h>

#include "names.h"
#include "verify.h"

/* 1 when the directive is written #include <...>: its extent ends just
 * after the closing '>' or '"'. */
static int angled(const vf_file *f, CXCursor c)
{
    unsigned end;
    clang_getSpellingLocation(clang_getRangeEnd(clang_getCursorExtent(c)), NULL, NULL, NULL, &end);
    size_t size;
    const char *text = clang_getFileContents(f->tu, f->main, &size);
    return text && end > 0 && end <= size && text[end - 1] == '>';
}

void vf_check_include(vf_file *f, CXCursor c)
{
    CXString s = clang_getCursorSpelling(c);
    const char *name = clang_getCString(s);
    int allowed = 0;
    for (const char *const *h = vf_allowed_headers; *h; h++)
        allowed |= strcmp(*h, name) == 0;
    if (!allowed)
        vf_report_add(f->rep, vf_line(c), VF_INCLUDE,
                      "include of '%s': only <stdint.h>, <stddef.h>, <string.h> and <math.h> "
                      "may be included",
                      name);
    else if (!angled(f, c))
        vf_report_add(f->rep, vf_line(c), VF_INCLUDE,
                      "include of '%s' in quotes: write <%s>, so that no local file can stand in",
                      name, name);
    clang_disposeString(s);
}
