# infermark_embed(target FILE symbol): compiles FILE's bytes into `target` as
#   extern const std::string_view symbol;   (in namespace infermark::embedded)
# The file is re-read whenever it changes.
function(infermark_embed target file symbol)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${symbol}.cc")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND "${CMAKE_COMMAND}" -DINPUT=${file} -DOUTPUT=${out} -DSYMBOL=${symbol}
            -P "${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake"
    DEPENDS "${file}" "${PROJECT_SOURCE_DIR}/cmake/embed_file.cmake"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
