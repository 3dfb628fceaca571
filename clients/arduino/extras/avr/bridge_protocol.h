/*
 * The UART0 <-> TCP bridge between a firmware in simavr and simrun (the runner), shared by both
 * sides (simrun's bridge.c and the firmware's SerialBridgeClient.h).
 *
 * Firmware -> runner: text, with frames inside it. A frame is BRIDGE_START, a type, a length
 * (0-255) and that many payload bytes; every other byte is text (the firmware's Serial prints),
 * which the runner copies to its stdout. Text never holds a NUL byte, so it cannot start a frame.
 *   'C' connect to "host:port"       -> the runner answers 'c'
 *   'D' data for the connection
 *   'X' close the connection         -> the runner answers 'x' if a read request is open
 *   'R' read request, payload: one byte N, the most bytes (header included) the firmware can
 *       take now -> the runner answers with exactly one 'd' or 'x' frame of at most N bytes, as
 *       soon as it has data or the connection has ended
 * Runner -> firmware: frames only, without the start byte (type, length, payload):
 *   'c' connect result, payload: one byte, 1 connected or 0 failed
 *   'd' data from the connection
 *   'x' the connection has ended (closed by the peer, never opened, or closed by the firmware)
 *
 * Why read requests: the firmware's Serial receive buffer holds 64 bytes and drops what comes on
 * top, and the runner cannot see how fast the firmware reads. With one request open at a time and
 * each answer at most N bytes, no more than N bytes are ever on their way to the firmware.
 */
#ifndef STRATUS_BRIDGE_PROTOCOL_H
#define STRATUS_BRIDGE_PROTOCOL_H

#define BRIDGE_START 0x00
#define BRIDGE_CONNECT 'C'
#define BRIDGE_DATA 'D'
#define BRIDGE_CLOSE 'X'
#define BRIDGE_READ 'R'
#define BRIDGE_CONNECTED 'c'
#define BRIDGE_RECEIVED 'd'
#define BRIDGE_ENDED 'x'
#define BRIDGE_HEADER_BYTES 2
#define BRIDGE_MAX_PAYLOAD 255

#endif
