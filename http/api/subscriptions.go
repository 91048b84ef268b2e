package api

import (
	"net/http"

	"socle"
	"socle/http/httpx"
	"socle/webhook"
)

type subscriptionRequest struct {
	URL     string `json:"url"`
	Purpose string `json:"purpose"`
}

func handleSubscribe(wh *webhook.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := httpx.Decode[subscriptionRequest](r)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		sub, err := wh.Subscribe(r.Context(), httpx.ActorFrom(r.Context()), in.URL, in.Purpose)
		httpx.Respond(w, r, http.StatusCreated, sub, err)
	})
}

func handleSubscriptions(wh *webhook.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg, err := httpx.PageParams(r, 50, 200)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		subs, err := wh.Subscriptions(r.Context(), httpx.ActorFrom(r.Context()))
		httpx.WritePage(w, r, subs, func(s *socle.Subscription) string { return httpx.TimeKey(s.Created, s.ID) }, pg, err)
	})
}

func handleUnsubscribe(wh *webhook.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := wh.Unsubscribe(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id")); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func handleDeliveries(wh *webhook.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pg, err := httpx.PageParams(r, 50, 500)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		// Newest first, paged by the store (keyset on the last delivery
		// of the previous page): one more than the page says whether
		// another follows.
		ds, err := wh.Deliveries(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), pg.After, pg.Limit+1)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		page := httpx.Page[*socle.Delivery]{Items: append([]*socle.Delivery{}, ds[:min(len(ds), pg.Limit)]...), Limit: pg.Limit, HasMore: len(ds) > pg.Limit}
		if page.HasMore {
			page.NextCursor = httpx.EncodeCursor(page.Items[len(page.Items)-1].ID)
		}
		httpx.Encode(w, http.StatusOK, page)
	})
}

func handleReplay(wh *webhook.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := wh.Replay(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"))
		httpx.Respond(w, r, http.StatusAccepted, d, err)
	})
}
