/* Visits every cursor written in the checked file once and hands it to
 * the checks. Declarations that come from headers are skipped at the top
 * level; below it nothing is filtered, because an expression written in
 * the file may begin with a macro from a header (NAN + x). */
#include "verify.h"

typedef struct walk {
    vf_file *f;
    int current; /* call graph node of the function being walked, or -1 */
} walk;

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent, CXClientData data)
{
    (void)parent;
    walk *w = data;
    switch (clang_getCursorKind(c)) {
    case CXCursor_CallExpr:
        vf_check_call(w->f, c, w->current);
        break;
    case CXCursor_DeclRefExpr:
    case CXCursor_TypeRef:
        vf_check_forbidden_use(w->f, c);
        break;
    default:
        vf_check_vla(w->f, c);
        break;
    }
    return CXChildVisit_Recurse;
}

static enum CXChildVisitResult visit_top(CXCursor c, CXCursor parent, CXClientData data)
{
    walk *w = data;
    if (!vf_in_main(w->f, c))
        return CXChildVisit_Continue;
    switch (clang_getCursorKind(c)) {
    case CXCursor_InclusionDirective:
        vf_check_include(w->f, c);
        return CXChildVisit_Continue;
    case CXCursor_MacroDefinition:
    case CXCursor_MacroExpansion:
        return CXChildVisit_Continue;
    case CXCursor_FunctionDecl:
        w->current = clang_isCursorDefinition(c) ? vf_graph_node(w->f->graph, c) : -1;
        break;
    default:
        w->current = -1;
        break;
    }
    visit(c, parent, data);
    clang_visitChildren(c, visit, data);
    return CXChildVisit_Continue;
}

void vf_walk(vf_file *f)
{
    walk w = {f, -1};
    clang_visitChildren(clang_getTranslationUnitCursor(f->tu), visit_top, &w);
}
