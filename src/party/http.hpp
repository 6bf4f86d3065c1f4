#pragma once
/// The watch party's HTTP routes and WebSocket, plugged into `beacon serve` as extension
/// routes (see server/extension.hpp and docs/party.md):
///   POST   /api/v1/parties                    create ({content_id} or {channel}), signed in
///   GET    /api/v1/parties/{id}               describe (signed in, or ?invite= of this party)
///   DELETE /api/v1/parties/{id}               end it, signed in
///   POST   /api/v1/parties/{id}/invites       a fresh invite link, signed in
///   GET    /api/v1/parties/{id}/media/{key+}  the party's library item files (HLS, captions)
///   GET    /api/v1/parties/{id}/live/{path+}  a channel party's LiveLoop playlists/segments
///   WS     /api/v1/parties/{id}/ws            the party socket
/// Invite holders reach only these, and only for their party; playlists served to them carry
/// the invite on every URI, so players never need the stream key or a session.
#include <functional>
#include <vector>

#include "party/party.hpp"
#include "server/server.hpp"

namespace beacon::storage {
class ChannelStore;
class ContentStore;
class ObjectStore;
}  // namespace beacon::storage

namespace beacon::party {

struct HttpDeps {
    storage::ContentStore& content;   // the item a party watches
    storage::ChannelStore& channels;  // the channel a party watches
    storage::ObjectStore& store;
    /// LiveLoop's /live/ answer (ServerDeps::live_handler); empty: channel parties get 503 media.
    std::function<core::Result<server::LiveResponse>(const server::LiveRequest&)> live;
};

std::vector<server::ExtensionRoute> HttpRoutes(PartyService& parties, HttpDeps deps);
std::vector<server::ExtensionSocket> Sockets(PartyService& parties);

/// Adds `param` (e.g. "invite=pi1...") to every URI of an HLS playlist (URI lines and URI="..."
/// attributes); URIs starting with `from_prefix` are moved under `to_prefix` first.
std::string AddQueryToPlaylist(std::string_view playlist, std::string_view param,
                               std::string_view from_prefix = {}, std::string_view to_prefix = {});

}  // namespace beacon::party
