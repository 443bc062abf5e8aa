package acmebilling

import (
	"net/http"
	"strings"
	"testing"

	"github.com/hashicorp/vault/sdk/logical"
)

func TestHello_BeforeConfig(t *testing.T) {
	b, s := getTestBackend(t)

	resp, err := doRequest(t, b, s, logical.ReadOperation, "hello", nil)
	if got := statusCode(t, logical.ReadOperation, resp, err); got != http.StatusBadRequest {
		t.Fatalf("status %d, want 400 (err=%v resp=%#v)", got, err, resp)
	}
	msg := resp.Error().Error()
	for _, want := range []string{"not configured yet", "config"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q does not mention %q", msg, want)
		}
	}
}

func TestHello_AfterConfig(t *testing.T) {
	tests := []struct {
		name string
		data map[string]interface{}
		want string
	}{
		{
			name: "default name",
			want: "Howdy, hello world from vault-plugin-auth-acme-billing",
		},
		{
			name: "given name",
			data: map[string]interface{}{"name": "Ada"},
			want: "Howdy, hello Ada from vault-plugin-auth-acme-billing",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, s := getTestBackend(t)
			mustConfigure(t, b, s, map[string]interface{}{"custom_prefix": "Howdy"})

			resp, err := doRequest(t, b, s, logical.ReadOperation, "hello", tt.data)
			if err != nil || resp == nil || resp.IsError() {
				t.Fatalf("read hello: err=%v resp=%#v", err, resp)
			}
			if got := resp.Data["message"]; got != tt.want {
				t.Errorf("message = %q, want %q", got, tt.want)
			}
		})
	}
}
