# Compiler settings shared by every Corio target (private to each: nothing
# here may change the ABI of a public header).
add_library(corio_warnings INTERFACE)
# -Wmissing-field-initializers flags C++20 designated initializers that rely
# on default member initializers, which is how options structs are meant to
# be filled.
target_compile_options(corio_warnings INTERFACE -Wall -Wextra -Wpedantic $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> -Wno-missing-field-initializers)
# In a unity build g++ takes a type from an anonymous namespace of one source
# (a test fixture) as local to another file, and -Wsubobject-linkage misfires.
target_compile_options(corio_warnings INTERFACE
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<BOOL:$<TARGET_PROPERTY:UNITY_BUILD>>>:-Wno-subobject-linkage>)
