/**
 * The assistant: a conversation of turns (text and pictures), each planned by the planner and rendered, retrieved
 * from the picture library or answered in words. The CLI's {@code chat} and the server share these types.
 */
package dev.atelier.assistant;
