#include "read_buffer.hpp"

#include <algorithm>
#include <cstring>

namespace loadgen {

boost::asio::mutable_buffer read_buffer::space()
{
    if (begin_ == end_) {
        begin_ = end_ = 0;
    } else if (begin_ > 0) {
        std::memmove(bytes_.data(), bytes_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
    }
    if (bytes_.size() - end_ < initial_size)
        bytes_.resize(std::max(bytes_.size() * 2, end_ + initial_size));
    return boost::asio::buffer(bytes_.data() + end_, bytes_.size() - end_);
}

} // namespace loadgen
