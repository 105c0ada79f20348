/* Rule 6: what clang itself says about the file. Generated code must
 * compile without a warning at -Wall -Wextra -pedantic, so every warning
 * and error is a problem. */
#include <string.h>

#include "verify.h"

static void report_one(vf_file *f, CXDiagnostic d)
{
    CXFile file;
    unsigned line;
    clang_getExpansionLocation(clang_getDiagnosticLocation(d), &file, &line, NULL, NULL);
    CXString text = clang_getDiagnosticSpelling(d);
    CXString option = clang_getDiagnosticOption(d, NULL);
    const char *opt = clang_getCString(option);
    int has_opt = opt && *opt;
    vf_kind kind = has_opt && strcmp(opt, "-Wvla") == 0 ? VF_VLA_USED : VF_DIAGNOSTIC;
    const char *severity =
        clang_getDiagnosticSeverity(d) == CXDiagnostic_Warning ? "warning" : "error";
    if (file && !clang_File_isEqual(file, f->main)) {
        CXString where = clang_getFileName(file);
        vf_report_add(f->rep, 0, kind, "%s: %s:%u: %s%s%s%s", severity, clang_getCString(where),
                      line, clang_getCString(text), has_opt ? " [" : "", has_opt ? opt : "",
                      has_opt ? "]" : "");
        clang_disposeString(where);
    } else {
        vf_report_add(f->rep, file ? line : 0, kind, "%s: %s%s%s%s", severity,
                      clang_getCString(text), has_opt ? " [" : "", has_opt ? opt : "",
                      has_opt ? "]" : "");
    }
    clang_disposeString(option);
    clang_disposeString(text);
}

void vf_check_diagnostics(vf_file *f)
{
    unsigned n = clang_getNumDiagnostics(f->tu);
    for (unsigned i = 0; i < n; i++) {
        CXDiagnostic d = clang_getDiagnostic(f->tu, i);
        if (clang_getDiagnosticSeverity(d) >= CXDiagnostic_Warning)
            report_one(f, d);
        clang_disposeDiagnostic(d);
    }
}
