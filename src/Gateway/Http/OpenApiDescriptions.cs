using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansRaft.Gateway.Http;

/// <summary>
/// What the OpenAPI document cannot infer from handlers that read the raw request: the key, the octet-stream
/// body and the consistency parameter. Added as document text only: an Accepts() filter would turn a PUT with
/// curl's default Content-Type into a 415.
/// </summary>
internal static class OpenApiDescriptions
{
    public static RouteHandlerBuilder DescribeKey(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => p.Name == "key"))
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = "key",
                    In = ParameterLocation.Path,
                    Required = true,
                    Description = "1 to 1024 bytes of UTF-8, percent-encoded as one path segment ('/' as %2F).",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }

            return Task.CompletedTask;
        });

    public static RouteHandlerBuilder DescribeValueBody(this RouteHandlerBuilder builder, string description) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = false,
                Description = description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/octet-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                },
            };
            return Task.CompletedTask;
        });

    /// <summary>A JSON object body with these properties (id required). Not Accepts(): that would turn curl -d's form content type into a 415.</summary>
    public static RouteHandlerBuilder DescribeJsonBody(this RouteHandlerBuilder builder, params (string Name, JsonSchemaType Type, string Description)[] properties) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            var schema = new OpenApiSchema { Type = JsonSchemaType.Object, Required = new HashSet<string> { "id" }, Properties = new Dictionary<string, IOpenApiSchema>() };
            foreach (var (name, type, description) in properties)
            {
                schema.Properties[name] = new OpenApiSchema { Type = type, Description = description };
            }

            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = schema } },
            };
            return Task.CompletedTask;
        });

    public static RouteHandlerBuilder DescribeConsistency(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = "consistency",
                In = ParameterLocation.Query,
                Required = false,
                Description = "Absent (or 'linearizable'): reflects every write completed before the read began. 'stale': any replica's applied state.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create("stale"), JsonValue.Create("linearizable")] },
            });
            return Task.CompletedTask;
        });

    public static RouteHandlerBuilder ProducesOctetStream(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Responses ??= [];
            operation.Responses["200"] = new OpenApiResponse
            {
                Description = "The value's bytes.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/octet-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                },
            };
            return Task.CompletedTask;
        });

    /// <summary>The error answers every key/value route may give.</summary>
    public static RouteHandlerBuilder ProducesKvProblems(this RouteHandlerBuilder builder) =>
        builder
            .ProducesProblem(StatusCodes.Status400BadRequest, Problems.ContentType)
            .ProducesProblem(StatusCodes.Status405MethodNotAllowed, Problems.ContentType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable, Problems.ContentType)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout, Problems.ContentType);

    /// <summary>The error answers of the membership routes.</summary>
    public static RouteHandlerBuilder ProducesMembershipProblems(this RouteHandlerBuilder builder) =>
        builder
            .ProducesProblem(StatusCodes.Status400BadRequest, Problems.ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound, Problems.ContentType)
            .ProducesProblem(StatusCodes.Status409Conflict, Problems.ContentType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable, Problems.ContentType)
            .ProducesProblem(StatusCodes.Status504GatewayTimeout, Problems.ContentType);
}
