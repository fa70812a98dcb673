module github.com/claimsmapper/claimsmapper

go 1.26

require (
	github.com/aws/aws-lambda-go v1.55.1
	github.com/expr-lang/expr v1.17.8
	go.yaml.in/yaml/v3 v3.0.6
)
