/* Rules 2 and 3: what a call may reach, and the names never to be used.
 * Calls to functions defined in the file also become edges of the call
 * graph, for the recursion check. */
#include <stdlib.h>

#include "names.h"
#include "verify.h"

void vf_check_call(vf_file *f, CXCursor c, int caller)
{
    f->n_calls++;
    CXCursor callee = clang_getCursorReferenced(c);
    if (clang_getCursorKind(callee) != CXCursor_FunctionDecl) {
        vf_report_add(f->rep, vf_line(c), VF_CALL,
                      "call through a function pointer: its target cannot be verified");
        return;
    }
    char *name = vf_spelling(callee);
    if (!name) {
        f->rep->oom = 1;
        return;
    }
    CXCursor def = clang_getCursorDefinition(callee);
    if (vf_forbidden(name)) {
        /* Reported once, as a use, by vf_check_forbidden_use. */
    } else if (!clang_Cursor_isNull(def) && vf_in_main(f, def)) {
        int to = vf_graph_node(f->graph, def);
        if (caller >= 0 && to >= 0)
            vf_graph_edge(f->graph, caller, to);
    } else if (!vf_is_allowed_external(name)) {
        vf_report_add(f->rep, vf_line(c), VF_CALL,
                      "call to '%s', which is neither defined in this file nor in libm", name);
    }
    free(name);
}

void vf_check_forbidden_use(vf_file *f, CXCursor c)
{
    CXCursor decl = clang_getCursorReferenced(c);
    /* Only file-scope entities: a local variable may well be called `free`. */
    if (clang_Cursor_isNull(decl) ||
        clang_getCursorKind(clang_getCursorSemanticParent(decl)) != CXCursor_TranslationUnit)
        return;
    char *name = vf_spelling(decl);
    if (!name) {
        f->rep->oom = 1;
        return;
    }
    const char *why = vf_forbidden(name);
    if (why)
        vf_report_add(f->rep, vf_line(c), VF_FORBIDDEN, "use of '%s': %s", name, why);
    free(name);
}
