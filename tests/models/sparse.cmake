# Included by tests/models/CMakeLists.txt (uses its SAMPLES, RUN_CASE and
# MODELS_WORK): models/sparse90/NAME compiles a sample with --prune 0.9
# (sparse kernels where the cost model says so) and compares with ONNX
# Runtime's outputs on the model --save-onnx wrote, committed in
# DIR/pruned_90/test_data_set_0 by tests/models/make_sparse_goldens.sh.
# run_case.sh wants a folder with model.onnx and test_data_set_0: each
# sample gets one of links to the original model and the pruned goldens.
file(GLOB SPARSE90_GOLDENS CONFIGURE_DEPENDS LIST_DIRECTORIES true
     ${SAMPLES}/digits/pruned_90 ${SAMPLES}/zoo/*/pruned_90)
foreach(goldens ${SPARSE90_GOLDENS})
  get_filename_component(dir ${goldens} DIRECTORY)
  get_filename_component(name ${dir} NAME)
  set(model ${dir}/model.onnx)
  if(name STREQUAL "digits")
    set(model ${dir}/digits.onnx)
  endif()
  set(case ${CMAKE_CURRENT_BINARY_DIR}/sparse90_case_${name})
  file(MAKE_DIRECTORY ${case})
  file(CREATE_LINK ${model} ${case}/model.onnx SYMBOLIC)
  file(CREATE_LINK ${goldens}/test_data_set_0 ${case}/test_data_set_0 SYMBOLIC)
  add_test(NAME models/sparse90/${name}
           COMMAND ${CMAKE_COMMAND} -E env "SCNNC_FLAGS=--prune 0.9"
                   sh ${RUN_CASE} ${case} ${MODELS_WORK}/sparse90_${name})
endforeach()
