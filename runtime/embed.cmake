# Turns runtime C files into one header of string constants, so that the
# code generator can copy them into the files it writes.
#   cmake -DOUT=<header> -DFILES="<a.c;b.c;...>" -P embed.cmake
# Each FILE becomes `static const char scnn_runtime_<name>[]`. Lines starting
# with #include are dropped: generated files include the standard headers
# once at their top, and runtime pieces that use each other are emitted in
# order instead of included.
set(text "/* Generated from the C files in runtime/ by runtime/embed.cmake: do not edit. */\n")
string(APPEND text "#ifndef SCNN_RUNTIME_TEXT_H\n#define SCNN_RUNTIME_TEXT_H\n")
foreach(file IN LISTS FILES)
  get_filename_component(name "${file}" NAME_WE)
  file(READ "${file}" body)
  set(body "\n${body}")
  string(REGEX REPLACE "\n#include[^\n]*" "" body "${body}")
  string(REGEX REPLACE "^\n" "" body "${body}")
  string(REGEX REPLACE "\n\n\n+" "\n\n" body "${body}")
  # C string literal: backslashes, quotes, and '?' (no trigraphs) escaped.
  string(REPLACE "\\" "\\\\" body "${body}")
  string(REPLACE "\"" "\\\"" body "${body}")
  string(REPLACE "?" "\\?" body "${body}")
  string(REPLACE "\n" "\\n\"\n    \"" body "${body}")
  string(APPEND text "\nstatic const char scnn_runtime_${name}[] =\n    \"${body}\";\n")
endforeach()
string(APPEND text "\n#endif\n")
file(WRITE "${OUT}.tmp" "${text}")
# Rewriting an unchanged header would rebuild everything that includes it.
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
