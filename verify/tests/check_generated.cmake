# Compiles an ONNX model with scnnc and checks the generated C with
# scnnc-verify. Prints SKIPPED: when scnnc refuses the model (exit 1).
#   cmake -DSCNNC=... -DVERIFY=... -DMODEL=model.onnx -DWORK=dir -P check_generated.cmake
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${SCNNC} ${MODEL} -o ${WORK}/model.c
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 1)
  message("SKIPPED: scnnc refused ${MODEL}: ${err}")
  return()
elseif(NOT rc EQUAL 0)
  message(FATAL_ERROR "scnnc failed on ${MODEL} (exit ${rc}): ${err}")
endif()
execute_process(COMMAND ${VERIFY} ${WORK}/model.c RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "generated code breaks the contract (exit ${rc})")
endif()
