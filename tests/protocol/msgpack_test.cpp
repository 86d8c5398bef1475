#include <corio/protocol/msgpack.hpp>

#include <corio/protocol/attachments.hpp>
#include <corio/protocol/error.hpp>
#include <corio/protocol/json_reader.hpp>
#include <corio/protocol/json_writer.hpp>
#include <corio/protocol/limits.hpp>

#include "deep_json.hpp"
#include "hex.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace json = boost::json;
namespace protocol = corio::protocol;
namespace msgpack = corio::protocol::msgpack;
using corio_test::from_hex;
using corio_test::to_hex;
using protocol::error;

namespace {

const boost::system::error_code invalid_msgpack = protocol::make_error_code(error::invalid_msgpack);

// Equal as JavaScript sees JSON data: numbers by value whatever their kind
// (a float 64 of 1 decodes as the double 1.0, the fixture's `1` parses as an
// integer), objects in order.
bool same_json(const json::value& a, const json::value& b)
{
    if (a.is_number() && b.is_number()) {
        if (a.is_double() || b.is_double()) {
            const double x = a.is_double()  ? a.get_double()
                             : a.is_int64() ? static_cast<double>(a.get_int64())
                                            : static_cast<double>(a.get_uint64());
            const double y = b.is_double()  ? b.get_double()
                             : b.is_int64() ? static_cast<double>(b.get_int64())
                                            : static_cast<double>(b.get_uint64());
            return x == y;
        }
        if (a.is_int64() && b.is_int64())
            return a.get_int64() == b.get_int64();
        if (a.is_uint64() && b.is_uint64())
            return a.get_uint64() == b.get_uint64();
        const std::int64_t s = a.is_int64() ? a.get_int64() : b.get_int64();
        const std::uint64_t u = a.is_uint64() ? a.get_uint64() : b.get_uint64();
        return s >= 0 && static_cast<std::uint64_t>(s) == u;
    }
    if (a.kind() != b.kind())
        return false;
    if (const auto* x = a.if_array()) {
        const auto& y = b.get_array();
        if (x->size() != y.size())
            return false;
        for (std::size_t i = 0; i < x->size(); ++i)
            if (!same_json((*x)[i], y[i]))
                return false;
        return true;
    }
    if (const auto* x = a.if_object()) {
        const auto& y = b.get_object();
        if (x->size() != y.size())
            return false;
        for (auto i = x->begin(), j = y.begin(); i != x->end(); ++i, ++j)
            if (i->key() != j->key() || !same_json(i->value(), j->value()))
                return false;
        return true;
    }
    return a == b;
}

json::value parse(std::string_view text)
{
    auto r = protocol::parse_json(text, 64);
    if (!r)
        throw std::invalid_argument("bad JSON in test: " + std::string(text));
    return std::move(*r);
}

msgpack::document decode_ok(std::string_view bytes)
{
    auto r = msgpack::decode(bytes);
    BOOST_REQUIRE_MESSAGE(r.has_value(), "decode failed for " << to_hex(bytes) << ": " << r.error().message());
    return std::move(*r);
}

boost::system::error_code decode_error(std::string_view bytes,
                                       std::size_t max_depth = protocol::decode_limits{}.max_json_depth)
{
    const auto r = msgpack::decode(bytes, max_depth);
    return r.has_error() ? r.error() : boost::system::error_code{};
}

// The fixtures notepack.io 3.0.1 made (tests/protocol/fixtures).
struct fixture {
    std::string name;
    bool encode;
    std::string bytes;
    std::vector<std::string> attachments;
    json::value value;
};

const std::vector<fixture>& fixtures()
{
    static const std::vector<fixture> all = [] {
        std::ifstream in(CORIO_MSGPACK_FIXTURES, std::ios::binary);
        if (!in)
            throw std::runtime_error("cannot open " CORIO_MSGPACK_FIXTURES);
        const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
        const json::value root = parse(text);
        std::vector<fixture> out;
        for (const auto& c : root.at("cases").as_array()) {
            fixture f;
            f.name = std::string(c.at("name").as_string());
            f.encode = c.at("encode").as_bool();
            f.bytes = from_hex(c.at("hex").as_string());
            for (const auto& a : c.at("attachments").as_array())
                f.attachments.push_back(from_hex(a.as_string()));
            f.value = c.at("json");
            out.push_back(std::move(f));
        }
        return out;
    }();
    return all;
}

// A valid document with every kind of value, for the truncation test.
std::string every_kind()
{
    json::value v = parse(R"({"s":"text","i":[0,127,128,-1,-33,65536,-2147483649,18446744073709551615],
        "f":1.5,"n":null,"b":[true,false],"o":{"nested":[[],{}]},"bin":{"_placeholder":true,"num":0}})");
    return msgpack::encode(v, {std::string("\x01\x02\x03", 3)});
}

} // namespace

BOOST_AUTO_TEST_SUITE(msgpack_codec)

BOOST_AUTO_TEST_CASE(fixtures_are_loaded)
{
    // The generator writes about 140 cases; a broken path or file fails here.
    BOOST_TEST(fixtures().size() >= 100u);
}

BOOST_AUTO_TEST_CASE(decodes_what_notepack_writes_and_reads)
{
    for (const auto& f : fixtures())
        BOOST_TEST_CONTEXT(f.name)
        {
            const auto r = msgpack::decode(f.bytes);
            BOOST_TEST_REQUIRE(r.has_value());
            BOOST_TEST(same_json(r->value, f.value), protocol::to_json(r->value)
                                                         << " != " << protocol::to_json(f.value));
            BOOST_TEST(r->attachments == f.attachments);
        }
}

BOOST_AUTO_TEST_CASE(encodes_as_notepack_does)
{
    std::size_t checked = 0;
    for (const auto& f : fixtures()) {
        if (!f.encode)
            continue;
        BOOST_TEST_CONTEXT(f.name)
        {
            BOOST_TEST(to_hex(msgpack::encode(f.value, f.attachments)) == to_hex(f.bytes));
            const auto r = msgpack::decode(f.bytes);
            BOOST_TEST_REQUIRE(r.has_value());
            BOOST_TEST(to_hex(msgpack::encode(r->value, r->attachments)) == to_hex(f.bytes));
        }
        ++checked;
    }
    BOOST_TEST(checked >= 50u);
}

BOOST_AUTO_TEST_CASE(capture_from_a_live_cluster)
{
    // ecosystem-protocols.md 1.9: what Node's adapter published for
    // A.emit("x", Buffer[1,2,3]).
    const std::string bytes = from_hex("93a666675863435383a47479706502a46461746192a178c403010203a36e7370a12f"
                                       "83a5726f6f6d7390a665786365707490a5666c61677380");
    const auto doc = decode_ok(bytes);
    BOOST_TEST(
        protocol::to_json(doc.value) ==
        R"(["fgXcCS",{"type":2,"data":["x",{"_placeholder":true,"num":0}],"nsp":"/"},{"rooms":[],"except":[],"flags":{}}])");
    BOOST_TEST_REQUIRE(doc.attachments.size() == 1u);
    BOOST_TEST(doc.attachments[0] == std::string("\x01\x02\x03", 3));
    BOOST_TEST(msgpack::encode(doc.value, doc.attachments) == bytes);
}

BOOST_AUTO_TEST_CASE(integer_kinds)
{
    BOOST_TEST(decode_ok(from_hex("cf7fffffffffffffff")).value.is_int64());
    BOOST_TEST(decode_ok(from_hex("cf7fffffffffffffff")).value.get_int64() == std::numeric_limits<std::int64_t>::max());
    BOOST_TEST(decode_ok(from_hex("cf8000000000000000")).value.is_uint64());
    BOOST_TEST(decode_ok(from_hex("cfffffffffffffffff")).value.get_uint64() ==
               std::numeric_limits<std::uint64_t>::max());
    BOOST_TEST(decode_ok(from_hex("d38000000000000000")).value.get_int64() == std::numeric_limits<std::int64_t>::min());
    BOOST_TEST(decode_ok(from_hex("cc80")).value.is_int64());
    BOOST_TEST(decode_ok(from_hex("ca3fc00000")).value.is_double());
    BOOST_TEST(decode_ok(from_hex("cb3ff0000000000000")).value.is_double());
}

BOOST_AUTO_TEST_CASE(integer_widths_encode_at_every_boundary)
{
    const std::vector<std::pair<json::value, std::string_view>> cases{
        {std::int64_t{0}, "00"},
        {std::int64_t{127}, "7f"},
        {std::int64_t{128}, "cc80"},
        {std::int64_t{255}, "ccff"},
        {std::int64_t{256}, "cd0100"},
        {std::int64_t{65535}, "cdffff"},
        {std::int64_t{65536}, "ce00010000"},
        {std::int64_t{4294967295}, "ceffffffff"},
        {std::int64_t{4294967296}, "cf0000000100000000"},
        {std::numeric_limits<std::int64_t>::max(), "cf7fffffffffffffff"},
        {std::uint64_t{5}, "05"},
        {std::uint64_t{4294967296}, "cf0000000100000000"},
        {std::numeric_limits<std::uint64_t>::max(), "cfffffffffffffffff"},
        {std::int64_t{-1}, "ff"},
        {std::int64_t{-32}, "e0"},
        {std::int64_t{-33}, "d0df"},
        {std::int64_t{-128}, "d080"},
        {std::int64_t{-129}, "d1ff7f"},
        {std::int64_t{-32768}, "d18000"},
        {std::int64_t{-32769}, "d2ffff7fff"},
        {std::int64_t{-2147483648}, "d280000000"},
        {std::int64_t{-2147483649}, "d3ffffffff7fffffff"},
        {std::numeric_limits<std::int64_t>::min(), "d38000000000000000"},
    };
    for (const auto& [value, hex] : cases)
        BOOST_TEST_CONTEXT(protocol::to_json(value))
        {
            const std::string bytes = msgpack::encode(value);
            BOOST_TEST(to_hex(bytes) == hex);
            const auto back = decode_ok(bytes);
            BOOST_TEST(same_json(back.value, value));
        }
}

BOOST_AUTO_TEST_CASE(doubles_encode_as_notepack_where_it_is_exact)
{
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const std::vector<std::pair<double, std::string_view>> cases{
        {1.5, "cb3ff8000000000000"},
        {2.0, "02"},
        {-0.0, "00"},
        {-33.0, "d0df"},
        {4294967296.0, "cf0000000100000000"},
        {9223372036854775808.0, "cf8000000000000000"},  // 2^63: uint 64, as notepack
        {18446744073709549568.0, "cffffffffffffff800"}, // the largest double below 2^64
        {18446744073709551616.0, "cb43f0000000000000"}, // 2^64: notepack wraps; float 64 keeps it
        {-9223372036854775808.0, "d38000000000000000"}, // -2^63
        {-9223372036854777856.0, "cbc3e0000000000001"}, // below -2^63
        {1e300, "cb7e37e43c8800759c"},
        {inf, "cb7ff0000000000000"},
        {-inf, "cbfff0000000000000"},
        {nan, "cb7ff8000000000000"},
        {0.1, "cb3fb999999999999a"},
    };
    for (const auto& [d, hex] : cases)
        BOOST_TEST_CONTEXT(d)
        {
            BOOST_TEST(to_hex(msgpack::encode(json::value(d))) == hex);
        }
    // Reading back gives the same number.
    BOOST_TEST(decode_ok(msgpack::encode(json::value(1e300))).value.get_double() == 1e300);
    BOOST_TEST(decode_ok(msgpack::encode(json::value(18446744073709551616.0))).value.get_double() ==
               18446744073709551616.0);
    BOOST_TEST(std::isnan(decode_ok(msgpack::encode(json::value(nan))).value.get_double()));
}

BOOST_AUTO_TEST_CASE(sizes_at_every_header_boundary_round_trip)
{
    // str: fixstr < 32 <= str 8 <= 255 < str 16 <= 65535 < str 32.
    for (const auto& [n, head] : std::vector<std::pair<std::size_t, std::string_view>>{{0, "a0"},
                                                                                       {31, "bf"},
                                                                                       {32, "d920"},
                                                                                       {255, "d9ff"},
                                                                                       {256, "da0100"},
                                                                                       {65535, "daffff"},
                                                                                       {65536, "db00010000"}})
        BOOST_TEST_CONTEXT("str " << n)
        {
            const json::value v = json::string(std::string(n, 'x'));
            const std::string bytes = msgpack::encode(v);
            BOOST_TEST(to_hex(bytes.substr(0, head.size() / 2)) == head);
            BOOST_TEST(bytes.size() == head.size() / 2 + n);
            BOOST_TEST(decode_ok(bytes).value == v);
        }
    // bin: bin 8 <= 255 < bin 16 <= 65535 < bin 32.
    for (const auto& [n, head] : std::vector<std::pair<std::size_t, std::string_view>>{
             {0, "c400"}, {255, "c4ff"}, {256, "c50100"}, {65535, "c5ffff"}, {65536, "c600010000"}})
        BOOST_TEST_CONTEXT("bin " << n)
        {
            const std::vector<std::string> attachments{std::string(n, '\xab')};
            const std::string bytes = msgpack::encode(protocol::make_placeholder(0), attachments);
            BOOST_TEST(to_hex(bytes.substr(0, head.size() / 2)) == head);
            BOOST_TEST(bytes.size() == head.size() / 2 + n);
            const auto back = decode_ok(bytes);
            BOOST_TEST(back.value == protocol::make_placeholder(0));
            BOOST_TEST(back.attachments == attachments);
        }
    // array and map: fix < 16 <= 16-bit <= 65535 < 32-bit.
    for (const auto& [n, array_head, map_head] :
         std::vector<std::tuple<std::size_t, std::string_view, std::string_view>>{{0, "90", "80"},
                                                                                  {15, "9f", "8f"},
                                                                                  {16, "dc0010", "de0010"},
                                                                                  {65535, "dcffff", "deffff"},
                                                                                  {65536, "dd00010000", "df00010000"}})
        BOOST_TEST_CONTEXT("array and map of " << n)
        {
            json::array a(n, json::value(nullptr));
            const std::string array_bytes = msgpack::encode(a);
            BOOST_TEST(to_hex(array_bytes.substr(0, array_head.size() / 2)) == array_head);
            BOOST_TEST(array_bytes.size() == array_head.size() / 2 + n);
            BOOST_TEST(decode_ok(array_bytes).value == json::value(a));

            json::object o;
            for (std::size_t i = 0; i < n; ++i)
                o.emplace(std::to_string(i), i % 2 == 0);
            const std::string map_bytes = msgpack::encode(o);
            BOOST_TEST(to_hex(map_bytes.substr(0, map_head.size() / 2)) == map_head);
            const auto back = decode_ok(map_bytes);
            BOOST_TEST(back.value == json::value(o));
        }
}

BOOST_AUTO_TEST_CASE(round_trips)
{
    for (const std::string_view text : {
             R"(null)",
             R"([1,-1,1.5,"s",true,false,null,[],{}])",
             R"({"a":{"b":{"c":[1,[2,[3,{}]]]}},"z":"last","m":"middle"})",
             R"(["emitter",{"type":2,"data":["hello","world"],"nsp":"/"},{"rooms":["room1"],"flags":{},"except":[]}])",
             R"({"unicode":"héllo € 𝄞","empty":"","escaped":"\"\\\n"})",
             R"([18446744073709551615,-9223372036854775808,9223372036854775807,0.1,-2.5e-300])",
         })
        BOOST_TEST_CONTEXT(text)
        {
            const json::value v = parse(text);
            const auto back = decode_ok(msgpack::encode(v));
            BOOST_TEST(back.value == v);
            BOOST_TEST(back.attachments.empty());
        }
}

BOOST_AUTO_TEST_CASE(placeholders)
{
    const std::vector<std::string> attachments{"one", std::string("\0\xff", 2)};
    const json::value v = parse(R"([{"_placeholder":true,"num":1},{"k":{"_placeholder":true,"num":0}},
        {"_placeholder":true,"num":1.0},{"_placeholder":true,"num":0,"extra":1}])");
    const std::string bytes = msgpack::encode(v, attachments);
    BOOST_TEST(to_hex(bytes) == "94"
                                "c40200ff"
                                "81a16bc4036f6e65"
                                "c40200ff"
                                "c4036f6e65");
    // Attachments come back numbered in document order.
    const auto back = decode_ok(bytes);
    BOOST_TEST(
        protocol::to_json(back.value) ==
        R"([{"_placeholder":true,"num":0},{"k":{"_placeholder":true,"num":1}},{"_placeholder":true,"num":2},{"_placeholder":true,"num":3}])");
    BOOST_TEST((back.attachments == std::vector<std::string>{attachments[1], "one", attachments[1], "one"}));

    // Not placeholders of these attachments: written as the maps they are.
    for (const std::string_view text : {
             R"({"_placeholder":true,"num":2})",
             R"({"_placeholder":true,"num":-1})",
             R"({"_placeholder":false,"num":0})",
             R"({"_placeholder":true})",
         })
        BOOST_TEST_CONTEXT(text)
        {
            const json::value p = parse(text);
            const auto r = decode_ok(msgpack::encode(p, attachments));
            BOOST_TEST(r.value == p);
            BOOST_TEST(r.attachments.empty());
        }
    // Without attachments, a placeholder is a map.
    BOOST_TEST(decode_ok(msgpack::encode(protocol::make_placeholder(0))).value == protocol::make_placeholder(0));
}

BOOST_AUTO_TEST_CASE(truncated_at_every_offset)
{
    std::vector<std::string> documents{every_kind()};
    for (const auto& f : fixtures())
        if (f.bytes.size() < 4096)
            documents.push_back(f.bytes);
    for (const auto& bytes : documents)
        BOOST_TEST_CONTEXT(to_hex(bytes.substr(0, 64)))
        {
            BOOST_TEST_REQUIRE(msgpack::decode(bytes).has_value());
            for (std::size_t n = 0; n < bytes.size(); ++n)
                BOOST_TEST_CONTEXT("cut at " << n)
                {
                    BOOST_TEST(decode_error(bytes.substr(0, n)) == invalid_msgpack);
                }
            // And one byte too many.
            BOOST_TEST(decode_error(bytes + '\0') == invalid_msgpack);
            BOOST_TEST(decode_error(bytes + bytes) == invalid_msgpack);
        }
}

BOOST_AUTO_TEST_CASE(huge_declared_lengths)
{
    for (const std::string_view hex : {
             "dbffffffff61",   // str 32 of 4 GiB
             "daffff61",       // str 16
             "d9ff61",         // str 8
             "c6ffffffff00",   // bin 32
             "c9ffffffff0000", // old ArrayBuffer, ext 32
             "c8ffff0000",     // ext 16
             "ddffffffff00",   // array 32 of 4G elements
             "dfffffffff0000", // map 32
             "dcffff"
             "00", // array 16
             "deffff"
             "0000",                     // map 16
             "9f00",                     // fixarray of 15 with one
             "8f0000",                   // fixmap of 15 with one entry
             "dd00000002dd0000000100",   // the inner array's count fits, not the outer's remaining one
             "92dd0000000200dd00000002", // nested counts add up beyond the input
             "d7ff00",                   // fixext 8 cut short
             "c70cff0000",               // ext 8 of 12 cut short
         })
        BOOST_TEST_CONTEXT(hex)
        {
            BOOST_TEST(decode_error(from_hex(hex)) == invalid_msgpack);
        }

    // Each level declares as many elements as there are bytes left: the sum
    // of promises is refused at the second level, before anything is
    // reserved for it.
    std::string nested;
    const std::size_t total = 1 << 20;
    while (nested.size() + 5 <= total) {
        const auto left = static_cast<std::uint32_t>(total - nested.size() - 5);
        nested += '\xdd';
        for (int shift = 24; shift >= 0; shift -= 8)
            nested += static_cast<char>(left >> shift);
    }
    nested.resize(total, '\0');
    BOOST_TEST(decode_error(nested) == invalid_msgpack);
}

BOOST_AUTO_TEST_CASE(bad_types_and_extensions)
{
    for (const std::string_view hex : {
             "c1",             // never used
             "d4ff00",         // fixext 1 of the timestamp type
             "d5ff0000",       // fixext 2
             "d5000000",       // fixext 2 of notepack's old type
             "d6000000000000", // fixext 4 of type 0
             "d805"
             "00000000000000000000000000000000", // fixext 16
             "d8ff"
             "00000000000000000000000000000000",
             "d40500", // unknown fixext type
             "d70500000000000000000000",
         })
        BOOST_TEST_CONTEXT(hex)
        {
            BOOST_TEST(decode_error(from_hex(hex)) == invalid_msgpack);
        }
    for (const std::string_view hex : {
             "c70305010203",                           // unknown ext 8 type
             "c704ff00000000",                         // timestamp as ext 8 of 4 bytes
             "c708ff0000000000000000",                 // ext 8 of 8 bytes
             "c70dff00000000000000000000000000",       // ext 8 of 13 bytes
             "c8000cff000000000000000000000000",       // timestamp 96 as ext 16
             "c9000000000cff000000000000000000000000", // ... as ext 32
             "c70005",                                 // empty ext 8 of an unknown type
             // Map keys that are neither string nor integer.
             "81c001",
             "81c301",
             "81cb3ff800000000000001",
             "8190"
             "01",
             "8180"
             "01",
             "81c40100"
             "01",
             "81ca3fc0000001",
             "81d4000001",
         })
        BOOST_TEST_CONTEXT(hex)
        {
            BOOST_TEST(decode_error(from_hex(hex)) == invalid_msgpack);
        }
    BOOST_TEST(decode_error("") == invalid_msgpack);
}

BOOST_AUTO_TEST_CASE(decoded_strings_are_valid_utf8_and_keys_are_strings)
{
    const auto doc = decode_ok(from_hex("83"
                                        "a2ff41"
                                        "a3e282ac"
                                        "cd0100"
                                        "c3"
                                        "d3ffffffffffffff00"
                                        "c0"));
    BOOST_TEST(protocol::to_json(doc.value) == "{\"\xEF\xBF\xBD"
                                               "A\":\"\xE2\x82\xAC\",\"256\":true,\"-256\":null}");
    // A view of the input: the key survives deeper values being decoded
    // after it (the frames of the decoder move as they grow).
    std::string deep = "81a36b6579";
    for (int i = 0; i < 40; ++i)
        deep += "81"
                "cd0100";
    deep += "c0";
    const auto nested = decode_ok(from_hex(deep));
    BOOST_TEST(nested.value.as_object().begin()->key() == "key");
    BOOST_TEST(nested.value.as_object().begin()->value().as_object().begin()->key() == "256");
}

BOOST_AUTO_TEST_CASE(nesting_up_to_the_limit)
{
    const std::size_t limit = protocol::decode_limits{}.max_json_depth;
    for (const bool maps : {false, true}) {
        const auto nested = [maps](std::size_t depth, std::string_view leaf) {
            std::string out;
            for (std::size_t i = 0; i < depth; ++i)
                out += maps ? std::string("\x81\xa1k", 3) : std::string("\x91");
            out += from_hex(leaf);
            return out;
        };
        BOOST_TEST_CONTEXT((maps ? "maps" : "arrays"))
        {
            // `[]` is one level, and a bin a leaf.
            auto at_limit = msgpack::decode(nested(limit - 1, maps ? "80" : "90"));
            BOOST_TEST_REQUIRE(at_limit.has_value());
            corio::test::dismantle(at_limit->value);
            auto bin_at_limit = msgpack::decode(nested(limit, "c40101"));
            BOOST_TEST_REQUIRE(bin_at_limit.has_value());
            corio::test::dismantle(bin_at_limit->value);
            BOOST_TEST(decode_error(nested(limit, maps ? "80" : "90")) == invalid_msgpack);
            BOOST_TEST(decode_error(nested(limit + 1, "01")) == invalid_msgpack);
            // The limit is the caller's.
            BOOST_TEST(decode_error(nested(3, "01"), 3).value() == 0);
            BOOST_TEST(decode_error(nested(4, "01"), 3) == invalid_msgpack);
        }
    }
}

BOOST_AUTO_TEST_CASE(deep_nesting_does_not_recurse)
{
    // 100 000 levels, decoded and encoded on a 64 KiB stack: one stack frame
    // per level would overflow it many times over.
    constexpr std::size_t depth = 100'000;
    const std::string arrays = std::string(depth, '\x91') + '\x01';
    std::string maps;
    for (std::size_t i = 0; i < depth; ++i)
        maps += "\x81\xa1k";
    maps += '\x01';
    boost::system::error_code arrays_error;
    boost::system::error_code maps_error;
    bool arrays_unlimited = false;
    std::string encoded;
    corio::test::run_on_stack(64 * 1024, [&] {
        arrays_error = decode_error(arrays);
        maps_error = decode_error(maps);
        auto r = msgpack::decode(arrays, depth);
        arrays_unlimited = r.has_value();
        if (r) {
            encoded = msgpack::encode(r->value);
            corio::test::dismantle(r->value);
        }
    });
    BOOST_TEST(arrays_error == invalid_msgpack);
    BOOST_TEST(maps_error == invalid_msgpack);
    BOOST_TEST(arrays_unlimited);
    BOOST_TEST(encoded == arrays);
}

BOOST_AUTO_TEST_CASE(dates)
{
    const std::vector<std::pair<std::string_view, std::string_view>> cases{
        {"d6ff65937d25", "\"2024-01-02T03:04:05.000Z\""},
        {"d7ffa1a5d60065937d25", "\"2024-01-02T03:04:05.678Z\""},
        // 2000-02-29, a leap day in a century leap year, and 2100-03-01 after
        // a century that is not one.
        {"d6ff38bbb4c0", "\"2000-02-29T12:00:00.000Z\""},
        {"d7ff00000000f4d41f80", "\"2100-03-01T00:00:00.000Z\""},
        {"c70cff00000000ffffffffffffffff", "\"1969-12-31T23:59:59.000Z\""},
        {"c70cff00000000ffffffffffffff00", "\"1969-12-31T23:55:44.000Z\""},
    };
    for (const auto& [hex, text] : cases)
        BOOST_TEST_CONTEXT(hex)
        {
            BOOST_TEST(protocol::to_json(decode_ok(from_hex(hex)).value) == text);
        }
}

BOOST_AUTO_TEST_CASE(encode_reserves_exactly)
{
    const json::value v = parse(R"({"rooms":["a","b"],"data":["x",{"_placeholder":true,"num":0},1.5,-7,70000]})");
    const std::string bytes = msgpack::encode(v, {std::string(300, 'z')});
    // One allocation of exactly the size: capacity is what was reserved
    // (libstdc++ allocates what reserve asks for).
    BOOST_TEST(bytes.capacity() == bytes.size());
    BOOST_TEST(decode_ok(bytes).attachments.at(0) == std::string(300, 'z'));
}

BOOST_AUTO_TEST_SUITE_END()
