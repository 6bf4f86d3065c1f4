// placeholder: replaced by the end-to-end test with the built-in engines
#include <gtest/gtest.h>
TEST(PipelineBuiltinTest, Placeholder) { SUCCEED(); }
