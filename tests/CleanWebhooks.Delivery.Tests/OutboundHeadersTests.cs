using System.Text;
using CleanWebhooks.Infrastructure.Delivery;

namespace CleanWebhooks.Delivery.Tests;

/// <summary>The gate every outbound header passes: visible ASCII with inner spaces, nothing else.</summary>
public sealed class OutboundHeadersTests
{
    [Theory]
    [InlineData("abc")]
    [InlineData("Bearer eyJhbGciOi.J9-_~")]
    [InlineData("a b  c")]
    [InlineData("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")]
    [InlineData("")]
    public void TrySet_VisibleAsciiWithInnerSpaces_SetAsIs(string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/");

        Assert.True(OutboundHeaders.TrySet(request, "Authorization", value));

        Assert.Equal(value, string.Join(",", request.Headers.NonValidated["Authorization"]));
    }

    [Theory]
    [InlineData("abc\r\nX-Injected: yes")]
    [InlineData("abc\r\nContent-Length: 0\r\n\r\nGET /SMUGGLED HTTP/1.1\r\nHost: victim\r\n\r\n")]
    [InlineData("abc\nX-Injected: yes")]
    [InlineData("abc\rX")]
    [InlineData("abc\0")]
    [InlineData("a\tb")]
    [InlineData(" abc")]
    [InlineData("abc ")]
    [InlineData("ação")]
    [InlineData("abc\u007f")]
    [InlineData("abc\u0085")]
    [InlineData("\u202eabc")]
    public void TrySet_ValueOutsideVisibleAscii_RefusedAndNothingSet(string value)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/");

        Assert.False(OutboundHeaders.TrySet(request, "Authorization", value));

        Assert.False(request.Headers.Contains("Authorization"));
    }

    [Theory]
    [InlineData("X A")]
    [InlineData("X\r\nY")]
    [InlineData("X:")]
    [InlineData("")]
    public void TrySet_InvalidName_Refused(string name)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/");

        Assert.False(OutboundHeaders.TrySet(request, name, "v"));

        Assert.Empty(request.Headers);
    }

    [Fact]
    public void TrySet_ContentHeader_GoesOnTheContent()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{}")) };

        Assert.True(OutboundHeaders.TrySet(request, "Content-Language", "pt-BR"));

        Assert.Equal("pt-BR", string.Join(",", request.Content.Headers.NonValidated["Content-Language"]));
        Assert.False(request.Headers.NonValidated.Contains("Content-Language"));
    }

    [Fact]
    public void TrySet_SameHeaderTwice_LastValueReplacesTheFirst()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "http://127.0.0.1/");

        Assert.True(OutboundHeaders.TrySet(request, "Authorization", "Bearer from-headers"));
        Assert.True(OutboundHeaders.TrySet(request, "authorization", "Bearer token"));

        Assert.Equal("Bearer token", string.Join(",", request.Headers.NonValidated["Authorization"]));
    }
}
