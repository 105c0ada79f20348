/* Rule 4: no variable length arrays, whose size is only known at run time
 * and so could overflow the stack. Checked on the types that declarations,
 * casts and compound literals introduce, through pointers and arrays
 * (float (*p)[n] is a VLA type too). clang's -Wvla (see diagnostics.c)
 * also sees the rare forms without a cursor of their own (sizeof(int[n])). */
#include <stdlib.h>

#include "verify.h"

static int has_vla(CXType t)
{
    for (;;) {
        t = clang_getCanonicalType(t);
        switch (t.kind) {
        case CXType_VariableArray:
            return 1;
        case CXType_Pointer:
            t = clang_getPointeeType(t);
            break;
        case CXType_ConstantArray:
        case CXType_IncompleteArray:
            t = clang_getArrayElementType(t);
            break;
        case CXType_FunctionProto:
        case CXType_FunctionNoProto:
            /* Parameters are cursors of their own; only the result is left. */
            t = clang_getResultType(t);
            break;
        default:
            return 0;
        }
    }
}

void vf_check_vla(vf_file *f, CXCursor c)
{
    switch (clang_getCursorKind(c)) {
    case CXCursor_VarDecl:
    case CXCursor_ParmDecl:
    case CXCursor_FieldDecl:
    case CXCursor_TypedefDecl:
    case CXCursor_FunctionDecl:
    case CXCursor_CStyleCastExpr:
    case CXCursor_CompoundLiteralExpr:
        break;
    default:
        return;
    }
    CXType t = clang_getCursorType(c);
    if (!has_vla(t))
        return;
    CXString ts = clang_getTypeSpelling(clang_getCanonicalType(t));
    char *name = vf_spelling(c);
    if (name && *name)
        vf_report_add(f->rep, vf_line(c), VF_VLA, "variable length array: '%s' has type '%s'",
                      name, clang_getCString(ts));
    else
        vf_report_add(f->rep, vf_line(c), VF_VLA, "variable length array type '%s'",
                      clang_getCString(ts));
    free(name);
    clang_disposeString(ts);
}
