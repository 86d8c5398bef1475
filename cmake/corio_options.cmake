# Compiler settings shared by every Corio target (private to each: nothing
# here may change the ABI of a public header).
add_library(corio_warnings INTERFACE)
target_compile_options(corio_warnings INTERFACE -Wall -Wextra -Wpedantic -Wshadow=local)
