package awsapi

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Config is what a client needs: where, as whom, and through what.
type Config struct {
	// Region is the AWS region the requests go to and are signed for.
	Region string
	// Credentials sign every request; retrieved (and cached by the
	// provider) per request.
	Credentials aws.CredentialsProvider
	// Endpoints maps a service ("dynamodb", "s3") to the base URL that
	// replaces its regional endpoint; services not in it use AWS's.
	Endpoints map[string]string
	// HTTP sends the requests; nil means one client built for AWS
	// (NewHTTPClient) that every client of the process shares.
	HTTP *http.Client
}

// The environment variables FromEnv reads besides the credentials.
const (
	envRegion        = "AWS_REGION"
	envDefaultRegion = "AWS_DEFAULT_REGION"
	envEndpoint      = "AWS_ENDPOINT_URL"
	envIgnoreEndp    = "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"
	envFIPS          = "AWS_USE_FIPS_ENDPOINT"
	envDualStack     = "AWS_USE_DUALSTACK_ENDPOINT"
)

// services are the services a Config may send requests to, with the suffix
// of their endpoint variable (AWS_ENDPOINT_URL_<suffix>).
var services = map[string]string{"dynamodb": "DYNAMODB", "s3": "S3", "kms": "KMS"}

// FromEnv reads the configuration Lambda gives a function: the region, the
// execution role's credentials and any endpoint overrides. It fails, saying
// which variable to set, when the region or the credentials are missing, and
// when the environment asks for what this package does not do.
func FromEnv(lookupEnv func(string) (string, bool)) (Config, error) {
	get := func(k string) string { v, _ := lookupEnv(k); return strings.TrimSpace(v) }
	cfg := Config{Region: get(envRegion)}
	if cfg.Region == "" {
		cfg.Region = get(envDefaultRegion)
	}
	if cfg.Region == "" {
		return Config{}, errors.New("no AWS region is configured: set AWS_REGION")
	}
	for _, k := range []string{envFIPS, envDualStack} {
		if strings.EqualFold(get(k), "true") {
			return Config{}, fmt.Errorf("%s=true is not supported by the function: set AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_S3 and AWS_ENDPOINT_URL_KMS to the endpoints to use", k)
		}
	}
	eps, err := EndpointsFromEnv(lookupEnv)
	if err != nil {
		return Config{}, err
	}
	cfg.Endpoints = eps
	creds, err := credentialsFromEnv(get)
	if err != nil {
		return Config{}, err
	}
	cfg.Credentials = creds
	return cfg, nil
}

// EndpointsFromEnv reads the endpoints that replace AWS's for the services
// this package calls: AWS_ENDPOINT_URL_DYNAMODB and AWS_ENDPOINT_URL_S3, or
// AWS_ENDPOINT_URL for both, unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is
// true. The CLI, which takes its credentials from the SDK's configuration,
// reads its endpoints here too.
func EndpointsFromEnv(lookupEnv func(string) (string, bool)) (map[string]string, error) {
	get := func(k string) string { v, _ := lookupEnv(k); return strings.TrimSpace(v) }
	eps := map[string]string{}
	if strings.EqualFold(get(envIgnoreEndp), "true") {
		return eps, nil
	}
	for svc, suffix := range services {
		name := envEndpoint + "_" + suffix
		u := get(name)
		if u == "" {
			name, u = envEndpoint, get(envEndpoint)
		}
		if u == "" {
			continue
		}
		if err := checkEndpoint(u); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		eps[svc] = strings.TrimRight(u, "/")
	}
	return eps, nil
}

func checkEndpoint(u string) error {
	p, err := url.Parse(u)
	if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return fmt.Errorf("%q is not an http:// or https:// URL", u)
	}
	return nil
}

// endpoint is the base URL of svc in the configured region.
func (c Config) endpoint(svc string) string {
	if u := c.Endpoints[svc]; u != "" {
		return u
	}
	return "https://" + svc + "." + c.Region + "." + dnsSuffix(c.Region)
}

// custom reports whether svc's endpoint was set rather than AWS's.
func (c Config) custom(svc string) bool { return c.Endpoints[svc] != "" }

// dnsSuffix is the domain of the region's partition.
func dnsSuffix(region string) string {
	for _, p := range []struct{ prefix, suffix string }{
		{"cn-", "amazonaws.com.cn"},
		{"us-isob-", "sc2s.sgov.gov"},
		{"us-isof-", "csp.hci.ic.gov"},
		{"us-iso-", "c2s.ic.gov"},
		{"eu-isoe-", "cloud.adc-e.uk"},
		{"eusc-", "amazonaws.eu"},
	} {
		if strings.HasPrefix(region, p.prefix) {
			return p.suffix
		}
	}
	return "amazonaws.com"
}

// NewHTTPClient is the client requests go through unless Config.HTTP is
// set: connections are kept between invocations, and the caller's context
// bounds each request.
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   10,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
	}}
}
