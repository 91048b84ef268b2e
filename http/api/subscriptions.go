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
	return httpx.Command(http.StatusCreated, func(r *http.Request, in subscriptionRequest) (*socle.Subscription, error) {
		return wh.Subscribe(r.Context(), httpx.ActorFrom(r.Context()), in.URL, in.Purpose)
	})
}

func handleSubscriptions(wh *webhook.Service) http.Handler {
	return httpx.List(50, 200, func(s *socle.Subscription) string { return httpx.TimeKey(s.Created, s.ID) }, func(r *http.Request) ([]*socle.Subscription, error) {
		return wh.Subscriptions(r.Context(), httpx.ActorFrom(r.Context()))
	})
}

func handleUnsubscribe(wh *webhook.Service) http.Handler {
	return httpx.NoContent(func(r *http.Request) error {
		return wh.Unsubscribe(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"))
	})
}

func handleDeliveries(wh *webhook.Service) http.Handler {
	return httpx.Read(func(r *http.Request) (httpx.Page[*socle.Delivery], error) {
		pg, err := httpx.PageParams(r, 50, 500)
		if err != nil {
			return httpx.Page[*socle.Delivery]{}, err
		}
		// Newest first, paged by the store (keyset on the last delivery
		// of the previous page): one more than the page says whether
		// another follows.
		ds, err := wh.Deliveries(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"), pg.After, pg.Limit+1)
		if err != nil {
			return httpx.Page[*socle.Delivery]{}, err
		}
		page := httpx.Page[*socle.Delivery]{Items: append([]*socle.Delivery{}, ds[:min(len(ds), pg.Limit)]...), Limit: pg.Limit, HasMore: len(ds) > pg.Limit}
		if page.HasMore {
			page.NextCursor = httpx.EncodeCursor(page.Items[len(page.Items)-1].ID)
		}
		return page, nil
	})
}

func handleReplay(wh *webhook.Service) http.Handler {
	return httpx.Answer(http.StatusAccepted, func(r *http.Request) (*socle.Delivery, error) {
		return wh.Replay(r.Context(), httpx.ActorFrom(r.Context()), r.PathValue("id"))
	})
}
