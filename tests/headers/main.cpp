// The generated translation units (see CMakeLists.txt) are the test: they are
// checked when they compile. This program only gives CTest a test to run, and
// reports how many headers were checked.

#include <iostream>

int main()
{
    std::cout << CORIO_PUBLIC_HEADER_COUNT << " public headers compile on their own\n";
}
