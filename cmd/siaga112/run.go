package main

import (
	"context"
	"io"
	"log/slog"

	"siaga112/tracking/app"
)

// config is the server's configuration; parseConfig fills it from flags
// and environment, and the app package builds everything from it.
type config = app.Config

// run builds the server, serves until ctx ends, and closes everything.
func run(ctx context.Context, cfg config, log *slog.Logger, out io.Writer) error {
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	defer a.Close()
	return a.Run(ctx, out)
}
