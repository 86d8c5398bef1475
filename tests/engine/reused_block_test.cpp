#include "engine/reused_block.hpp"

#include <boost/test/unit_test.hpp>

using corio::engine::detail::reused_block;

BOOST_AUTO_TEST_SUITE(reused_block_suite)

BOOST_AUTO_TEST_CASE(a_chain_of_operations_takes_one_block_in_turn)
{
    reused_block block;
    // A read: the wait (96 bytes, say), then its completion on the strand (64).
    void* wait = block.allocate(96);
    block.deallocate(wait, 96);
    void* completion = block.allocate(64);
    BOOST_TEST(completion == wait);
    block.deallocate(completion, 64);
    // The next wait still fits: the block kept its size, not the last request's.
    void* next_wait = block.allocate(96);
    BOOST_TEST(next_wait == wait);
    block.deallocate(next_wait, 96);
}

BOOST_AUTO_TEST_CASE(grows_once_to_the_largest_operation)
{
    reused_block block;
    void* small = block.allocate(32);
    block.deallocate(small, 32);
    void* large = block.allocate(128); // larger than the block: from the heap
    BOOST_TEST(large != small);
    block.deallocate(large, 128); // replaces the smaller block
    void* again = block.allocate(128);
    BOOST_TEST(again == large);
    void* meanwhile = block.allocate(16); // the block is taken: from the heap
    BOOST_TEST(meanwhile != large);
    block.deallocate(meanwhile, 16); // the block is taken and not smaller: freed
    block.deallocate(again, 128);
    BOOST_TEST(block.allocate(8) == large);
    block.deallocate(large, 8);
}

BOOST_AUTO_TEST_SUITE_END()
