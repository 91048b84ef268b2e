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
		limit, err := httpx.IntParam(r, "limit", 50, 1, 500)
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		ds, err := wh.Deliveries(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), limit)
		if ds == nil {
			ds = []*socle.Delivery{}
		}
		httpx.Respond(w, r, http.StatusOK, struct {
			Items []*socle.Delivery `json:"items"`
		}{ds}, err)
	})
}

func handleReplay(wh *webhook.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, err := wh.Replay(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"))
		httpx.Respond(w, r, http.StatusAccepted, d, err)
	})
}
