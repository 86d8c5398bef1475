#include <corio/protocol/engine_packet.hpp>

namespace corio::protocol {

void encode_text_packet(const packet& p, std::string& out)
{
    out.reserve(out.size() + 1 + p.data.size());
    out.push_back(static_cast<char>('0' + static_cast<int>(p.type)));
    out.append(p.data);
}

std::string encode_text_packet(const packet& p)
{
    std::string out;
    encode_text_packet(p, out);
    return out;
}

result<packet> decode_text_packet(std::string_view text)
{
    if (text.empty())
        return error::empty_packet;
    const char c = text.front();
    if (c < '0' || c > '6')
        return error::unknown_packet_type;
    return packet{static_cast<packet_type>(c - '0'), false, std::string(text.substr(1))};
}

} // namespace corio::protocol
