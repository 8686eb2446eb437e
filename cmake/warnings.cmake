# infermark_warnings(target): the project's warning set, applied to every first-party target.
function(infermark_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow=local
                         -Wnon-virtual-dtor -Wno-missing-field-initializers)
endfunction()
