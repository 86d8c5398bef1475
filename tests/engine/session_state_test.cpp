#include "engine/session_state.hpp"

#include <boost/test/unit_test.hpp>

namespace engine = corio::engine;
using engine::close_reason;
using engine::transport_kind;
using engine::detail::session_state;
using corio::protocol::packet;
using corio::protocol::packet_type;
using namespace std::chrono_literals;

BOOST_AUTO_TEST_SUITE(session_state_machine)

namespace {

constexpr engine::detail::session_timing timing{300ms, 200ms, 1000ms};

// A fake clock: tests move time by hand.
struct fixture {
    session_state::time_point t0 = session_state::time_point{} + 1h;
    session_state state{timing, transport_kind::polling, t0};
};

std::vector<packet_type> types(const std::vector<engine::detail::shared_packet>& packets)
{
    std::vector<packet_type> out;
    for (auto& p : packets)
        out.push_back(p->type);
    return out;
}

} // namespace

BOOST_FIXTURE_TEST_CASE(first_ping_is_due_one_interval_after_open, fixture)
{
    BOOST_TEST((state.next_deadline() == t0 + 300ms));
    BOOST_TEST((state.on_timer(t0 + 299ms) == session_state::timer_event::none));
    BOOST_TEST(!state.has_outbound());
    BOOST_TEST((state.on_timer(t0 + 300ms) == session_state::timer_event::ping_queued));
    BOOST_TEST((types(state.take_outbound()) == std::vector{packet_type::ping}));
    BOOST_TEST((state.next_deadline() == t0 + 500ms));
}

BOOST_FIXTURE_TEST_CASE(pong_schedules_the_next_ping, fixture)
{
    state.on_timer(t0 + 300ms);
    BOOST_TEST((state.on_packet(packet_type::pong, t0 + 350ms) == session_state::inbound::handled));
    BOOST_TEST((state.next_deadline() == t0 + 650ms));
    BOOST_TEST((state.on_timer(t0 + 500ms) == session_state::timer_event::none));
    BOOST_TEST(!state.closed());
}

BOOST_FIXTURE_TEST_CASE(a_late_timer_leaves_the_pong_due_a_timeout_after_the_ping_was, fixture)
{
    BOOST_TEST((state.on_timer(t0 + 420ms) == session_state::timer_event::ping_queued));
    BOOST_TEST((state.next_deadline() == t0 + 500ms));
    BOOST_TEST((state.on_timer(t0 + 500ms) == session_state::timer_event::ping_timeout));
}

BOOST_FIXTURE_TEST_CASE(a_timer_run_after_both_deadlines_queues_the_ping_then_closes, fixture)
{
    // What the session catches up on before a request (catch_up_heartbeat).
    BOOST_TEST((state.on_timer(t0 + 600ms) == session_state::timer_event::ping_queued));
    BOOST_TEST((state.next_deadline() <= t0 + 600ms));
    BOOST_TEST((state.on_timer(t0 + 600ms) == session_state::timer_event::ping_timeout));
    BOOST_TEST((*state.reason() == close_reason::ping_timeout));
}

BOOST_FIXTURE_TEST_CASE(missing_pong_closes_with_ping_timeout, fixture)
{
    state.on_timer(t0 + 300ms);
    BOOST_TEST((state.on_timer(t0 + 499ms) == session_state::timer_event::none));
    BOOST_TEST((state.on_timer(t0 + 500ms) == session_state::timer_event::ping_timeout));
    BOOST_TEST(state.closed());
    BOOST_TEST((*state.reason() == close_reason::ping_timeout));
    BOOST_TEST((state.on_timer(t0 + 900ms) == session_state::timer_event::none));
}

BOOST_FIXTURE_TEST_CASE(unsolicited_pong_changes_nothing, fixture)
{
    BOOST_TEST((state.on_packet(packet_type::pong, t0 + 10ms) == session_state::inbound::handled));
    BOOST_TEST((state.next_deadline() == t0 + 300ms));
}

BOOST_FIXTURE_TEST_CASE(messages_are_delivered_and_noops_ignored, fixture)
{
    BOOST_TEST((state.on_packet(packet_type::message, t0) == session_state::inbound::deliver));
    BOOST_TEST((state.on_packet(packet_type::noop, t0) == session_state::inbound::handled));
}

BOOST_FIXTURE_TEST_CASE(packets_a_client_may_not_send_close_with_parse_error, fixture)
{
    for (auto type : {packet_type::open, packet_type::ping, packet_type::upgrade}) {
        session_state s{timing, transport_kind::websocket, t0};
        BOOST_TEST((s.on_packet(type, t0) == session_state::inbound::invalid));
        BOOST_TEST((*s.reason() == close_reason::parse_error));
    }
}

BOOST_FIXTURE_TEST_CASE(client_close_answers_the_pending_poll_with_noop, fixture)
{
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST(!state.poll_ready());
    state.enqueue(corio::protocol::text_message("lost"));
    BOOST_TEST((state.on_packet(packet_type::close, t0) == session_state::inbound::closed));
    BOOST_TEST((*state.reason() == close_reason::client_close));
    BOOST_TEST(state.poll_ready());
    BOOST_TEST((types(state.end_poll()) == std::vector{packet_type::noop}));
    BOOST_TEST((state.begin_poll() == session_state::poll_start::closed));
}

BOOST_FIXTURE_TEST_CASE(client_close_without_a_pending_poll_answers_the_next_one_with_noop, fixture)
{
    BOOST_TEST((state.on_packet(packet_type::close, t0) == session_state::inbound::closed));
    BOOST_TEST(state.owes_poll());
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST((types(state.end_poll()) == std::vector{packet_type::noop}));
    BOOST_TEST((state.begin_poll() == session_state::poll_start::closed));
}

BOOST_FIXTURE_TEST_CASE(ping_timeout_owes_nothing, fixture)
{
    state.on_timer(t0 + 300ms);
    state.on_timer(t0 + 500ms);
    BOOST_TEST(!state.owes_poll());
    BOOST_TEST((state.begin_poll() == session_state::poll_start::closed));
}

BOOST_FIXTURE_TEST_CASE(buffered_packets_leave_in_one_poll, fixture)
{
    state.enqueue(corio::protocol::text_message("a"));
    state.enqueue(corio::protocol::text_message("b"));
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST(state.poll_ready());
    auto out = state.end_poll();
    BOOST_TEST(out.size() == 2u);
    BOOST_TEST(out[1]->data == "b");
    BOOST_TEST(!state.poll_pending());
}

BOOST_FIXTURE_TEST_CASE(duplicate_poll_closes_and_the_first_gets_a_close_packet, fixture)
{
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST((state.begin_poll() == session_state::poll_start::duplicate));
    BOOST_TEST((*state.reason() == close_reason::transport_error));
    BOOST_TEST((types(state.end_poll()) == std::vector{packet_type::close}));
}

BOOST_FIXTURE_TEST_CASE(server_close_owes_the_next_poll_the_buffer_then_a_close_packet, fixture)
{
    state.enqueue(corio::protocol::text_message("last"));
    state.close(close_reason::server_close, true);
    state.enqueue(corio::protocol::text_message("dropped"));
    BOOST_TEST(state.owes_poll());
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST(state.poll_ready());
    BOOST_TEST((types(state.end_poll()) == std::vector{packet_type::message, packet_type::close}));
    BOOST_TEST(!state.owes_poll());
    BOOST_TEST((state.begin_poll() == session_state::poll_start::closed));
}

BOOST_FIXTURE_TEST_CASE(upgrade_probe_releases_the_poll_with_noop_then_switches, fixture)
{
    BOOST_TEST(state.begin_upgrade(t0));
    BOOST_TEST(!state.begin_upgrade(t0));
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST(!state.poll_ready());
    state.probe_answered();
    BOOST_TEST(state.poll_ready());
    BOOST_TEST((types(state.end_poll()) == std::vector{packet_type::noop}));

    state.enqueue(corio::protocol::text_message("kept for websocket"));
    state.complete_upgrade();
    BOOST_TEST((state.transport() == transport_kind::websocket));
    BOOST_TEST((state.begin_poll() == session_state::poll_start::not_polling));
    BOOST_TEST(state.take_outbound().size() == 1u);
    BOOST_TEST(!state.begin_upgrade(t0));
}

BOOST_FIXTURE_TEST_CASE(upgrade_that_never_completes_times_out, fixture)
{
    BOOST_TEST(state.begin_upgrade(t0 + 100ms));
    // The upgrade deadline (1100 ms) comes after the first ping (300 ms).
    BOOST_TEST((state.on_timer(t0 + 300ms) == session_state::timer_event::ping_queued));
    state.on_packet(packet_type::pong, t0 + 310ms);
    BOOST_TEST((state.next_deadline() == t0 + 610ms));
    state.on_timer(t0 + 610ms);
    state.on_packet(packet_type::pong, t0 + 620ms);
    state.on_timer(t0 + 920ms);
    state.on_packet(packet_type::pong, t0 + 930ms);
    BOOST_TEST((state.next_deadline() == t0 + 1100ms));
    BOOST_TEST((state.on_timer(t0 + 1100ms) == session_state::timer_event::upgrade_timeout));
    BOOST_TEST(!state.upgrading());
    BOOST_TEST((state.transport() == transport_kind::polling));
    BOOST_TEST(state.begin_upgrade(t0 + 1200ms));
}

BOOST_FIXTURE_TEST_CASE(close_is_idempotent_and_keeps_the_first_reason, fixture)
{
    state.close(close_reason::ping_timeout, false);
    state.close(close_reason::server_close, true);
    BOOST_TEST((*state.reason() == close_reason::ping_timeout));
    BOOST_TEST(!state.notify_client());
    BOOST_TEST(!state.has_outbound());
}

// Backpressure: bounded queue, volatile drops, overflow ----------------------

namespace {

using send_result = session_state::send_result;

engine::detail::shared_packet message(std::size_t bytes)
{
    return std::make_shared<const packet>(corio::protocol::text_message(std::string(bytes, 'x')));
}

engine::detail::shared_batch batch(std::initializer_list<std::size_t> sizes)
{
    std::vector<packet> packets;
    for (auto n : sizes)
        packets.push_back(corio::protocol::binary_message(std::string(n, 'b')));
    return std::make_shared<const std::vector<packet>>(std::move(packets));
}

// A WebSocket session bounded at 100 bytes and 4 packets.
struct bounded {
    session_state::time_point t0 = session_state::time_point{} + 1h;
    session_state state{timing, transport_kind::websocket, t0, {100, 4}};
};

// The same bounds on long-polling.
struct bounded_polling {
    session_state::time_point t0 = session_state::time_point{} + 1h;
    session_state state{timing, transport_kind::polling, t0, {100, 4}};
};

} // namespace

BOOST_FIXTURE_TEST_CASE(queued_bytes_count_until_written, bounded)
{
    BOOST_TEST((state.send(message(30)) == send_result::queued));
    BOOST_TEST((state.send(batch({10, 20})) == send_result::queued));
    BOOST_TEST(state.queued_bytes() == 60u);
    BOOST_TEST(state.queued_packets() == 3u);
    std::vector<engine::detail::shared_packet> taken;
    state.take_outbound(taken);
    BOOST_TEST(taken.size() == 3u);
    BOOST_TEST(!state.has_outbound());
    // Taken by the writer is still in flight: still counted, also with
    // more queued behind it.
    BOOST_TEST(state.queued_bytes() == 60u);
    BOOST_TEST(state.queued_packets() == 3u);
    BOOST_TEST((state.send(message(5)) == send_result::queued));
    BOOST_TEST(state.queued_bytes() == 65u);
    state.written(3, 60);
    BOOST_TEST(state.queued_bytes() == 5u);
    BOOST_TEST(state.queued_packets() == 1u);
}

BOOST_FIXTURE_TEST_CASE(going_over_the_byte_bound_closes_with_send_queue_full, bounded)
{
    BOOST_TEST((state.send(message(60)) == send_result::queued));
    auto in_flight = state.take_outbound();
    BOOST_TEST((state.send(message(40)) == send_result::queued)); // exactly at the bound
    BOOST_TEST((state.send(message(1)) == send_result::overflow));
    BOOST_TEST(state.closed());
    BOOST_TEST((*state.reason() == close_reason::send_queue_full));
    BOOST_TEST(!state.notify_client());
    // The queue is dropped, not flushed, and later sends are ignored.
    BOOST_TEST(!state.has_outbound());
    BOOST_TEST(state.queued_bytes() == 0u);
    BOOST_TEST((state.send(message(1)) == send_result::closed));
    BOOST_TEST(!state.has_outbound());
}

BOOST_FIXTURE_TEST_CASE(going_over_the_packet_bound_closes_with_send_queue_full, bounded)
{
    for (int i = 0; i < 4; ++i)
        BOOST_TEST((state.send(message(0)) == send_result::queued));
    BOOST_TEST((state.send(message(0)) == send_result::overflow));
    BOOST_TEST((*state.reason() == close_reason::send_queue_full));
}

BOOST_FIXTURE_TEST_CASE(a_unit_is_admitted_whole_or_not_at_all, bounded)
{
    BOOST_TEST((state.send(message(0)) == send_result::queued));
    BOOST_TEST((state.send(message(0)) == send_result::queued));
    // Three more packets would make five: none of them is queued.
    BOOST_TEST((state.send(batch({1, 1, 1})) == send_result::overflow));
    BOOST_TEST(!state.has_outbound());
}

BOOST_FIXTURE_TEST_CASE(engine_packets_are_counted_but_never_refused, bounded)
{
    for (int i = 0; i < 4; ++i)
        state.send(message(25));
    BOOST_TEST((state.on_timer(t0 + 300ms) == session_state::timer_event::ping_queued));
    BOOST_TEST(!state.closed());
    BOOST_TEST(state.queued_packets() == 5u);
    BOOST_TEST((state.send(message(0)) == send_result::overflow));
}

BOOST_FIXTURE_TEST_CASE(volatile_goes_out_only_when_the_websocket_is_writable, bounded)
{
    BOOST_TEST(state.writable());
    BOOST_TEST((state.send(message(10), true) == send_result::queued));
    // Something queued: not writable.
    BOOST_TEST(!state.writable());
    BOOST_TEST((state.send(message(10), true) == send_result::dropped));
    // Being written: still not writable.
    auto taken = state.take_outbound();
    BOOST_TEST(!state.writable());
    BOOST_TEST((state.send(batch({5, 5}), true) == send_result::dropped));
    state.written(taken.size(), 10);
    BOOST_TEST(state.writable());
    BOOST_TEST((state.send(batch({5, 5}), true) == send_result::queued));
    BOOST_TEST(state.take_outbound().size() == 2u);
    BOOST_TEST(!state.closed());
}

BOOST_FIXTURE_TEST_CASE(volatile_never_closes_the_session, bounded)
{
    BOOST_TEST((state.send(message(101), true) == send_result::dropped));
    BOOST_TEST((state.send(batch({1, 1, 1, 1, 1}), true) == send_result::dropped));
    BOOST_TEST(!state.closed());
    BOOST_TEST(!state.has_outbound());
    BOOST_TEST((state.send(message(101)) == send_result::overflow));
}

BOOST_FIXTURE_TEST_CASE(volatile_on_polling_needs_a_waiting_get, bounded_polling)
{
    BOOST_TEST(!state.writable());
    BOOST_TEST((state.send(message(10), true) == send_result::dropped));
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST(state.writable());
    BOOST_TEST((state.send(message(10), true) == send_result::queued));
    BOOST_TEST((state.send(message(10), true) == send_result::dropped));
    BOOST_TEST(state.end_poll().size() == 1u);
    BOOST_TEST(!state.writable());
    BOOST_TEST((state.send(message(10), true) == send_result::dropped));
}

BOOST_FIXTURE_TEST_CASE(a_polling_response_counts_until_the_next_get, bounded_polling)
{
    state.send(message(70));
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST(state.end_poll().size() == 1u);
    // The client has not come back for more: its last response is in flight.
    BOOST_TEST(state.queued_bytes() == 70u);
    BOOST_TEST((state.send(message(30)) == send_result::queued));
    BOOST_TEST(state.queued_bytes() == 100u);
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST(state.queued_bytes() == 30u);
    BOOST_TEST(state.end_poll().size() == 1u);
    BOOST_TEST((state.send(message(71)) == send_result::overflow));
    BOOST_TEST((*state.reason() == close_reason::send_queue_full));
    BOOST_TEST(!state.owes_poll());
    BOOST_TEST((state.begin_poll() == session_state::poll_start::closed));
}

BOOST_FIXTURE_TEST_CASE(overflow_answers_a_pending_get_with_noop, bounded_polling)
{
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST((state.send(message(101)) == send_result::overflow));
    BOOST_TEST(state.poll_ready());
    BOOST_TEST((types(state.end_poll()) == std::vector{packet_type::noop}));
}

BOOST_FIXTURE_TEST_CASE(completing_an_upgrade_releases_the_last_poll, bounded_polling)
{
    state.send(message(90));
    BOOST_TEST((state.begin_poll() == session_state::poll_start::wait));
    BOOST_TEST(state.end_poll().size() == 1u);
    BOOST_TEST(state.begin_upgrade(t0));
    BOOST_TEST(state.queued_bytes() == 90u);
    state.complete_upgrade();
    BOOST_TEST(state.queued_bytes() == 0u);
    BOOST_TEST(state.writable());
    BOOST_TEST((state.send(message(100)) == send_result::queued));
}

// Engine.IO v3: the client pings, the server answers.
namespace {

constexpr engine::detail::session_timing v3_timing{300ms, 200ms, 1000ms, true};

struct v3_fixture {
    session_state::time_point t0 = session_state::time_point{} + 1h;
    session_state state{v3_timing, transport_kind::polling, t0};
};

} // namespace

BOOST_FIXTURE_TEST_CASE(v3_server_never_pings, v3_fixture)
{
    BOOST_TEST((state.next_deadline() == t0 + 500ms));
    BOOST_TEST((state.on_timer(t0 + 499ms) == session_state::timer_event::none));
    BOOST_TEST(!state.has_outbound());
}

BOOST_FIXTURE_TEST_CASE(v3_ping_is_answered_and_moves_the_deadline, v3_fixture)
{
    BOOST_TEST((state.on_packet(packet_type::ping, t0 + 400ms) == session_state::inbound::answered));
    BOOST_TEST((types(state.take_outbound()) == std::vector{packet_type::pong}));
    BOOST_TEST((state.next_deadline() == t0 + 900ms));
    BOOST_TEST((state.on_timer(t0 + 600ms) == session_state::timer_event::none));
    BOOST_TEST(!state.closed());
}

BOOST_FIXTURE_TEST_CASE(v3_stays_open_while_the_client_pings, v3_fixture)
{
    for (int i = 1; i <= 10; ++i) {
        const auto t = t0 + i * 300ms;
        BOOST_TEST((state.on_timer(t) == session_state::timer_event::none));
        BOOST_TEST((state.on_packet(packet_type::ping, t) == session_state::inbound::answered));
    }
    BOOST_TEST(!state.closed());
}

BOOST_FIXTURE_TEST_CASE(v3_no_ping_closes_after_interval_plus_timeout, v3_fixture)
{
    BOOST_TEST((state.on_timer(t0 + 500ms) == session_state::timer_event::ping_timeout));
    BOOST_TEST((*state.reason() == close_reason::ping_timeout));
}

BOOST_FIXTURE_TEST_CASE(v3_pong_from_the_client_is_invalid, v3_fixture)
{
    BOOST_TEST((state.on_packet(packet_type::pong, t0 + 10ms) == session_state::inbound::invalid));
    BOOST_TEST((*state.reason() == close_reason::parse_error));
}

BOOST_FIXTURE_TEST_CASE(v4_ping_from_the_client_is_invalid, fixture)
{
    BOOST_TEST((state.on_packet(packet_type::ping, t0 + 10ms) == session_state::inbound::invalid));
    BOOST_TEST((*state.reason() == close_reason::parse_error));
}

BOOST_AUTO_TEST_SUITE_END()
