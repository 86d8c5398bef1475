// socket.io-client typed by the declarations corio_generate_typescript generates from
// sample_contract.hpp (sample_contract.d.ts, beside this file in the build tree). The CTest
// test codegen_typescript runs `tsc --noEmit --strict` over it: the correct uses must
// compile, and each line after a `@ts-expect-error` must be an error (tsc fails when one
// is not).
import { io, Socket } from "socket.io-client";
import type {
    AdminChatClientToServerEvents,
    AdminChatServerToClientEvents,
    ClientToServerEvents,
    Color,
    RoomInfo,
    ServerToClientEvents,
} from "./sample_contract";

export async function lobby(url: string): Promise<number> {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io(url);

    socket.emit("create_room", "Blue", 4, (room: RoomInfo) => console.log(room.code, room.seats.length));
    const room: RoomInfo = await socket.emitWithAck("create_room", "Blue", 4);
    const rating: number | undefined = room.rating;
    const player: string | undefined = room.seats[0].player;
    const disc: Color = room.seats[0].disc;
    const score: number = room.scores["ada"];
    socket.emit("leave");
    socket.emit("leave", "bored");
    socket.emit("upload:avatar", new Uint8Array([1, 2]), null, (stored: boolean) => console.log(stored));
    socket.emit("upload:avatar", new ArrayBuffer(2), 3, (stored: boolean) => console.log(stored));
    socket.on("room_update", (update: RoomInfo, discs: (Color | null)[]) => console.log(update.code, discs));
    socket.on("ping", (callback) => callback("pong"));
    socket.on("ping", (callback) => callback(null));
    socket.on("raw", (value: unknown, object: Record<string, unknown>, array: unknown[]) =>
        console.log(value, object, array));
    const unrated: RoomInfo = { code: "X", seats: [{ index: 0, disc: "yellow" }], scores: {} };

    // @ts-expect-error: no event of that name
    socket.emit("create_rom", "Blue", 4, (room: RoomInfo) => console.log(room));
    // @ts-expect-error: seats is a number
    socket.emit("create_room", "Blue", "4", (room: RoomInfo) => console.log(room));
    // @ts-expect-error: the ack is a RoomInfo, not a string
    socket.emit("create_room", "Blue", 4, (room: string) => console.log(room));
    // @ts-expect-error: the ack callback is required
    socket.emit("create_room", "Blue", 4);
    // @ts-expect-error: the server sends room_update, the client does not
    socket.emit("room_update", room, []);
    // @ts-expect-error: the client does not receive create_room
    socket.on("create_room", () => {});
    // @ts-expect-error: the binary argument is not a string
    socket.emit("upload:avatar", "bytes", null, (stored: boolean) => console.log(stored));
    // @ts-expect-error: the ping ack is a string or null
    socket.on("ping", (callback) => callback(42));
    // @ts-expect-error: not a color
    const green: Color = "green";
    // @ts-expect-error: code is required
    const codeless: RoomInfo = { seats: [], scores: {} };

    return rating ?? score + (player?.length ?? 0) + disc.length + unrated.seats.length + green.length +
        codeless.seats.length;
}

export function admin(url: string): void {
    const socket: Socket<AdminChatServerToClientEvents, AdminChatClientToServerEvents> = io(url + "/admin-chat");
    socket.emit("kick", { index: 2, disc: "red" });
    socket.on("audit", (who: string, times: Record<string, number[]>) => console.log(who, times));
    // @ts-expect-error: kick takes a Seat
    socket.emit("kick", 2);
    // @ts-expect-error: the admin namespace has no create_room
    socket.emit("create_room", "Blue", 4, (room: RoomInfo) => console.log(room));
}
