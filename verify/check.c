#include "check.h"

#include "verify.h"

/* The dialect and warnings that generated code is held to; -Wvla backs up
 * the VLA check. The resource dir holds clang's own <stddef.h> and
 * <stdint.h>; it is the one of the libclang we link, found at build time,
 * because libclang's guess from its own path fails when it is loaded
 * through a symlink in another folder. */
static const char *const clang_args[] = {
    "-x", "c", "-std=c99", "-Wall", "-Wextra", "-pedantic", "-Wvla",
    "-resource-dir", SCNNC_VERIFY_CLANG_RESOURCE_DIR,
};

int vf_check_file(CXIndex index, const char *path, FILE *out)
{
    CXTranslationUnit tu;
    /* The preprocessing record gives the #include directives as cursors;
     * keep-going checks the rest of a file whose include is missing. */
    enum CXErrorCode err = clang_parseTranslationUnit2(
        index, path, clang_args, (int)(sizeof clang_args / sizeof clang_args[0]), NULL, 0,
        CXTranslationUnit_DetailedPreprocessingRecord | CXTranslationUnit_KeepGoing, &tu);
    if (err != CXError_Success) {
        fprintf(out, "%s: libclang could not parse the file (error %d)\n", path, (int)err);
        return 1;
    }
    vf_report rep = {0};
    vf_graph graph = {0};
    vf_file f = {path, tu, clang_getFile(tu, path), &rep, &graph, 0};
    vf_check_diagnostics(&f);
    vf_walk(&f);
    vf_graph_report_cycles(&graph, &rep);
    if (graph.oom)
        rep.oom = 1;
    size_t n = vf_report_print(&rep, path, out);
    if (n == 0)
        fprintf(out, "OK %s: %d functions, %ld calls checked\n", path, graph.n_nodes, f.n_calls);
    vf_report_free(&rep);
    vf_graph_free(&graph);
    clang_disposeTranslationUnit(tu);
    return n ? 1 : 0;
}
